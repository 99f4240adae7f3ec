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

    /// <summary>Waiting for an incoming migration or a snapshot to load (-incoming).</summary>
    InMigrate,

    /// <summary>Stopped for the last phase of an outgoing migration or a snapshot: devices are being saved.</summary>
    FinishMigrate,

    /// <summary>Stopped after the VM migrated away (or was saved); cont runs it here again.</summary>
    PostMigrate,
}
