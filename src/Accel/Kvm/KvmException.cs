using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>A failed KVM ioctl: the operation (e.g. "KVM_CREATE_VM") and its errno.</summary>
public sealed class KvmException : PosixException
{
    public KvmException(string operation, int errno) : base(operation, errno)
    {
    }
}
