namespace Emu.Core.Machines;

/// <summary>What the machine controller is asked to do.</summary>
internal enum MachineRequestKind
{
    Resume,
    Pause,
    Reset,
    Shutdown,
}
