using Emu.Accel.Kvm.Interop;
using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>KVM_IOEVENTFD: guest writes to an address signal an eventfd in the kernel.</summary>
internal sealed class KvmIoEventRegistry : IIoEventRegistry
{
    private readonly FileDescriptor _vm;

    public KvmIoEventRegistry(FileDescriptor vm) => _vm = vm;

    public bool SupportsIoEventFd => true;

    public IDisposable Add(EventFd fd, ulong address, int length, bool pio, ulong? dataMatch = null)
    {
        using FileDescriptorLease lease = fd.Handle.Lease();
        var request = new KvmIoeventfd
        {
            Addr = address,
            Len = (uint)length,
            Fd = lease.Fd,
            Flags = (pio ? KvmIoeventfd.FlagPio : 0) | (dataMatch != null ? KvmIoeventfd.FlagDatamatch : 0),
            Datamatch = dataMatch ?? 0,
        };
        KvmApi.Ioeventfd(_vm, request);
        return new Registration(_vm, fd, request);
    }

    private sealed class Registration : IDisposable
    {
        private readonly FileDescriptor _vm;
        private readonly EventFd _fd;
        private KvmIoeventfd _request;
        private bool _disposed;

        public Registration(FileDescriptor vm, EventFd fd, KvmIoeventfd request)
        {
            _vm = vm;
            _fd = fd;
            _request = request;
        }

        public void Dispose()
        {
            // A closed eventfd has taken its ioeventfd with it.
            if (_disposed || _vm.IsClosed || _fd.Handle.IsClosed)
                return;
            _disposed = true;
            using FileDescriptorLease lease = _fd.Handle.Lease();
            _request.Fd = lease.Fd;
            _request.Flags |= KvmIoeventfd.FlagDeassign;
            KvmApi.Ioeventfd(_vm, _request);
        }
    }
}
