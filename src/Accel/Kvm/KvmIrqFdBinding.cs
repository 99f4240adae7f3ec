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
        // The eventfds travel by number inside the structure: both are held open for the ioctl.
        using FileDescriptorLease triggerLease = trigger.Handle.Lease();
        var irqfd = new KvmIrqfd { Fd = (uint)triggerLease.Fd, Gsi = (uint)gsi };
        if (resample != null)
        {
            using FileDescriptorLease resampleLease = resample.Handle.Lease();
            irqfd.Flags = KvmIrqfd.FlagResample;
            irqfd.ResampleFd = (uint)resampleLease.Fd;
            KvmApi.Irqfd(vm, irqfd);
        }
        else
        {
            KvmApi.Irqfd(vm, irqfd);
        }
    }

    public void Dispose()
    {
        // A closed eventfd has already taken its irqfd with it (KVM sees the hang-up).
        if (_disposed || _vm.IsClosed || _trigger.Handle.IsClosed)
            return;
        _disposed = true;
        using FileDescriptorLease lease = _trigger.Handle.Lease();
        KvmApi.Irqfd(_vm, new KvmIrqfd { Fd = (uint)lease.Fd, Gsi = (uint)_gsi, Flags = KvmIrqfd.FlagDeassign });
    }
}
