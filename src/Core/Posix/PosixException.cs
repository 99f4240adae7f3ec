namespace Emu.Core.Posix;

/// <summary>
/// A failed system call: which operation failed and the errno it returned.
/// The message reads like "KVM_CREATE_VM: Permission denied (errno 13)".
/// </summary>
public class PosixException : IOException
{
    public PosixException(string operation, int errno)
        : base($"{operation}: {LibC.ErrorText(errno)} (errno {errno})")
    {
        Operation = operation;
        Errno = errno;
    }

    public PosixException(string operation, int errno, string detail)
        : base($"{operation}: {detail}: {LibC.ErrorText(errno)} (errno {errno})")
    {
        Operation = operation;
        Errno = errno;
    }

    /// <summary>The system call or ioctl that failed.</summary>
    public string Operation { get; }

    /// <summary>The errno value of the failure.</summary>
    public int Errno { get; }
}
