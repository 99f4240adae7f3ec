using Emu.Core.Migration;

namespace Emu.Devices.Pc;

public sealed partial class IsaI8042
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state) => Controller!.Save(state);

    public override void LoadState(StateReader state) => Controller!.Load(state);
}
