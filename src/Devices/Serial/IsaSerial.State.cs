using Emu.Core.Migration;

namespace Emu.Devices.Serial;

// The UART's registers migrate; the bytes waiting in its receive FIFO are a
// field added with q35-2.0 ("rx-fifo"): a q35-1.0 machine leaves it out of
// the stream (x-migrate-rx-fifo=off from the machine's compat properties), so
// that a destination of the q35-1.0 stream layout can load it, and loses those
// bytes as that layout always did.
public sealed partial class IsaSerial
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state) => Uart!.Save(state, Get(MigrateReceiveFifoProperty));

    public override void LoadState(StateReader state) => Uart!.Load(state);
}
