using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>An eventfd bound to a GSI with KVM_IRQFD; disposing unbinds it.</summary>
internal sealed class KvmIrqFdBinding : IDisposable
{
    private readonly FileDescriptor _vm;
    private readonly EventFd _trigger;
    private readonly int _gsi;
    private bool _disposed;

    public KvmIrqFdBinding(FileDescriptor vm, EventFd trigger, int gsi, EventFd? resample)
    {
        _vm = vm;
        _trigger = trigger;
        _gsi = gsi;
        var irqfd = new KvmIrqfd { Fd = (uint)trigger.Fd, Gsi = (uint)gsi };
        if (resample != null)
        {
            irqfd.Flags = KvmIrqfd.FlagResample;
            irqfd.ResampleFd = (uint)resample.Fd;
        }
        KvmApi.Irqfd(vm, irqfd);
    }

    public void Dispose()
    {
        if (_disposed || _vm.IsClosed || _trigger.Handle.IsClosed)
            return;
        _disposed = true;
        KvmApi.Irqfd(_vm, new KvmIrqfd { Fd = (uint)_trigger.Fd, Gsi = (uint)_gsi, Flags = KvmIrqfd.FlagDeassign });
    }
}
