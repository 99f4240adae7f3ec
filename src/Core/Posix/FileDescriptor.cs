using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// An owned file descriptor. Closed exactly once when disposed or finalized,
/// and never while a system call is using it: system calls take the handle
/// (<see cref="LibC"/>), and a descriptor that travels inside a kernel
/// structure is held with <see cref="Lease"/> for the length of the call.
/// </summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd, bool ownsHandle = true)
        : base(new IntPtr(-1), ownsHandle)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>
    /// The raw descriptor number, for messages and for code not yet moved to
    /// handles (the block backend, character devices). A number says nothing
    /// about whether the descriptor is still open: never pass it to a system
    /// call; pass the handle, or a <see cref="Lease"/>.
    /// </summary>
    public int Fd => (int)handle.ToInt64();

    /// <summary>
    /// Keeps the descriptor open until the lease is disposed and gives its
    /// number, for a kernel structure that carries it (KVM_IRQFD, VFIO's
    /// eventfd arrays, epoll registration). Throws
    /// <see cref="ObjectDisposedException"/> when already closed.
    /// </summary>
    public FileDescriptorLease Lease() => new(this);

    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;
}
