namespace Emu.Core.Machines;

/// <summary>
/// One life-cycle event. <see cref="Exit"/> is set for shutdowns,
/// <see cref="DeviceId"/>/<see cref="DevicePath"/> for device deletion,
/// <see cref="ByGuest"/> for resets and shutdowns.
/// </summary>
public sealed record MachineEvent(MachineEventKind Kind, DateTimeOffset Timestamp)
{
    public MachineExit? Exit { get; init; }

    public bool ByGuest { get; init; }

    public string? DeviceId { get; init; }

    public string? DevicePath { get; init; }
}
