namespace Emu.Core.Machines;

/// <summary>The machine's run state, as QMP's query-status names it.</summary>
public enum RunState
{
    /// <summary>Created, vCPUs not started yet (-S).</summary>
    Prelaunch,
    Running,
    Paused,

    /// <summary>The guest powered off or the VMM is ending.</summary>
    Shutdown,

    /// <summary>The accelerator stopped the guest with an error.</summary>
    InternalError,
}
