using Emu.Core.Migration;

namespace Emu.Devices.Pc;

public sealed partial class IsaRtc
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state) => Rtc!.Save(state);

    public override void LoadState(StateReader state) => Rtc!.Load(state);
}
