namespace Emu.Core.Machines;

/// <summary>Why the machine stopped for good.</summary>
public enum ShutdownCause
{
    /// <summary>The guest powered the machine off (ACPI S5).</summary>
    GuestPowerOff,

    /// <summary>The guest wrote to the debug-exit port.</summary>
    DebugExit,

    /// <summary>The guest asked for a reset while -no-reboot was given.</summary>
    GuestReset,

    /// <summary>The CPU shut down after a triple fault.</summary>
    TripleFault,

    /// <summary>The accelerator could not run the guest on.</summary>
    InternalError,

    /// <summary>A QMP 'system_reset' while -no-reboot was given (QEMU ends then too).</summary>
    HostQmpSystemReset,

    /// <summary>A QMP 'quit' command.</summary>
    HostQmpQuit,

    /// <summary>SIGINT/SIGTERM or Ctrl-C.</summary>
    HostSignal,

    /// <summary>The VMM hit an error of its own.</summary>
    HostError,
}
