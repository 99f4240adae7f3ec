namespace Emu.Core.Machines;

/// <summary>Life-cycle events, as QMP announces them.</summary>
public enum MachineEventKind
{
    Stop,
    Resume,
    Reset,
    Shutdown,
    Powerdown,
    DeviceDeleted,
}
