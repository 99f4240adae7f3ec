using Emu.Accel.Kvm.Interop;
using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// An eventfd bound to a GSI with KVM_IRQFD. It can be unbound and bound
/// again (a masked passthrough vector) without being made anew; disposing
/// unbinds it for good. While unbound, signals count up in the eventfd, and
/// KVM delivers such a count when the eventfd is bound again.
/// </summary>
internal sealed class KvmIrqFdBinding : ISuspendableIrqFd
{
    private readonly FileDescriptor _vm;
    private readonly EventFd _trigger;
    private readonly EventFd? _resample;
    private readonly int _gsi;
    private bool _bound;
    private bool _disposed;

    public KvmIrqFdBinding(FileDescriptor vm, EventFd trigger, int gsi, EventFd? resample)
    {
        _vm = vm;
        _trigger = trigger;
        _resample = resample;
        _gsi = gsi;
        Bind();
    }

    public void Suspend()
    {
        if (_bound && !_disposed)
            Unbind();
    }

    public void Resume()
    {
        if (!_bound && !_disposed)
            Bind();
    }

    // The eventfds travel by number inside the structure: both are held open for the ioctl.
    private void Bind()
    {
        using FileDescriptorLease triggerLease = _trigger.Handle.Lease();
        var irqfd = new KvmIrqfd { Fd = (uint)triggerLease.Fd, Gsi = (uint)_gsi };
        if (_resample != null)
        {
            using FileDescriptorLease resampleLease = _resample.Handle.Lease();
            irqfd.Flags = KvmIrqfd.FlagResample;
            irqfd.ResampleFd = (uint)resampleLease.Fd;
            KvmApi.Irqfd(_vm, irqfd);
        }
        else
        {
            KvmApi.Irqfd(_vm, irqfd);
        }
        _bound = true;
    }

    private void Unbind()
    {
        _bound = false;
        // A closed eventfd has already taken its irqfd with it (KVM sees the hang-up).
        if (_vm.IsClosed || _trigger.Handle.IsClosed)
            return;
        using FileDescriptorLease lease = _trigger.Handle.Lease();
        KvmApi.Irqfd(_vm, new KvmIrqfd { Fd = (uint)lease.Fd, Gsi = (uint)_gsi, Flags = KvmIrqfd.FlagDeassign });
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        if (_bound)
            Unbind();
        _disposed = true;
    }
}
