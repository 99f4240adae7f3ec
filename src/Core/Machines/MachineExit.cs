namespace Emu.Core.Machines;

/// <summary>
/// How the machine ended and with which process exit status: 0 for a power-off
/// or an orderly stop, (V &lt;&lt; 1) | 1 for a debug-exit write of V, 2 when
/// the guest crashed the virtual CPU (triple fault, internal error).
/// </summary>
public sealed record MachineExit(ShutdownCause Cause, int ExitCode, string? Message = null)
{
    public const int GuestCrashExitCode = 2;

    /// <summary>True when the guest itself asked for the shutdown (QMP SHUTDOWN's "guest" field).</summary>
    public bool ByGuest => Cause is ShutdownCause.GuestPowerOff or ShutdownCause.DebugExit or ShutdownCause.GuestReset or ShutdownCause.TripleFault;

    /// <summary>QMP's ShutdownCause spelling.</summary>
    public string QmpReason => Cause switch
    {
        ShutdownCause.GuestPowerOff => "guest-shutdown",
        ShutdownCause.DebugExit => "guest-shutdown",
        ShutdownCause.GuestReset => "guest-reset",
        ShutdownCause.TripleFault => "guest-panic",
        ShutdownCause.InternalError => "guest-panic",
        ShutdownCause.HostQmpQuit => "host-qmp-quit",
        ShutdownCause.HostQmpSystemReset => "host-qmp-system-reset",
        ShutdownCause.HostSignal => "host-signal",
        _ => "host-error",
    };
}
