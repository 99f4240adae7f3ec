using Emu.Accel.Kvm.Interop;
using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>A GSI of KVM's in-kernel interrupt controllers, driven with KVM_IRQ_LINE.</summary>
internal sealed class KvmIrqLine : IIrqLine
{
    private readonly FileDescriptor _vm;
    private readonly uint _gsi;

    public KvmIrqLine(FileDescriptor vm, int gsi)
    {
        _vm = vm;
        _gsi = (uint)gsi;
    }

    public void Set(bool asserted) => KvmApi.IrqLine(_vm, new KvmIrqLevel { Irq = _gsi, Level = asserted ? 1u : 0u });
}
