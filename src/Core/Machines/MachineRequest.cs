namespace Emu.Core.Machines;

/// <summary>A queued life-cycle request and the task that completes when it has been carried out.</summary>
internal sealed class MachineRequest
{
    public MachineRequest(MachineRequestKind kind, bool byGuest = false, MachineExit? exit = null)
    {
        Kind = kind;
        ByGuest = byGuest;
        Exit = exit;
    }

    public MachineRequestKind Kind { get; }

    public bool ByGuest { get; }

    public MachineExit? Exit { get; }

    /// <summary>For <see cref="MachineRequestKind.Unplug"/>: the device.</summary>
    public Device? Device { get; init; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
