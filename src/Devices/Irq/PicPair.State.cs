using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// Both 8259s in one section. A load sets the registers and the INTR level
// that follows from them, calling nobody: the local APICs' LINT0 levels are
// part of their own state.
public sealed partial class PicPair : IMigratable
{
    public void SaveState(StateWriter state)
    {
        lock (_lock)
        {
            _master.Save(state, "master.");
            _slave.Save(state, "slave.");
        }
    }

    public void LoadState(StateReader state)
    {
        lock (_lock)
        {
            _master.Load(state, "master.");
            _slave.Load(state, "slave.");
            state.EnsureAllRead();
            _intr = _master.PendingIrq() >= 0;
        }
    }
}
