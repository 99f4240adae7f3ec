namespace Emu.Core.Machines;

/// <summary>A queued life-cycle request and the task that completes when it has been carried out.</summary>
internal sealed class MachineRequest
{
    public MachineRequest(MachineRequestKind kind, bool byGuest = false, MachineExit? exit = null, RunState target = RunState.Paused)
    {
        Kind = kind;
        ByGuest = byGuest;
        Exit = exit;
        Target = target;
    }

    /// <summary>For a pause: the state the machine stops in (paused, or finish-migrate for a migration's last phase).</summary>
    public RunState Target { get; }

    public MachineRequestKind Kind { get; }

    public bool ByGuest { get; }

    public MachineExit? Exit { get; }

    /// <summary>For <see cref="MachineRequestKind.Unplug"/>: the device.</summary>
    public Device? Device { get; init; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
