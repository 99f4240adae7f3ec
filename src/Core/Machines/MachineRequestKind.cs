namespace Emu.Core.Machines;

/// <summary>What the machine controller is asked to do.</summary>
internal enum MachineRequestKind
{
    Resume,
    Pause,
    Reset,
    Shutdown,

    /// <summary>A stopped machine changes to another stopped state (a migration ended, a load finished).</summary>
    SetStoppedState,
}
