using System.Runtime.InteropServices;

namespace Emu.Lab;

// The checks behind [LabFact] and [KvmFact], usable directly too.
public static partial class LabRequirements
{
    // Null when level-2 lab tests can run here, else why not.
    public static string? Level2MissingReason => LabEnvironment.Current.MissingReason;

    static readonly Lazy<string?> s_kvm = new(ProbeKvm);

    // Null when /dev/kvm (level 1) opens read-write and answers KVM_GET_API_VERSION with 12.
    public static string? KvmMissingReason => s_kvm.Value;

    const int ORdWr = 2, OCloExec = 0x80000;
    const nuint KvmGetApiVersion = 0xAE00; // _IO(KVMIO, 0x00)

    static string? ProbeKvm()
    {
        if (!OperatingSystem.IsLinux())
            return "KVM needs Linux";
        if (!File.Exists("/dev/kvm"))
            return "/dev/kvm does not exist";
        int fd = Open("/dev/kvm", ORdWr | OCloExec);
        if (fd < 0)
            return $"/dev/kvm cannot be opened read-write (errno {Marshal.GetLastPInvokeError()})";
        try
        {
            int version = Ioctl(fd, KvmGetApiVersion, 0);
            return version == 12 ? null : $"KVM_GET_API_VERSION returned {version}, expected 12";
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
