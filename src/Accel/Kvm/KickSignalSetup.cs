using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm;

/// <summary>
/// Makes the vCPU kick signal harmless to the rest of the process: its
/// disposition is "ignore", so a stray process-directed signal does nothing,
/// while vCPU threads, which keep it blocked, still get it queued (the kernel
/// never discards a blocked signal, and KVM counts the mask it replaced during
/// KVM_RUN as blocked).
/// </summary>
internal static partial class KickSignalSetup
{
    private static readonly nint SigIgn = 1;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint signal(int signum, nint handler);

    public static void IgnoreProcessWide(int signal) => KickSignalSetup.signal(signal, SigIgn);
}
