namespace Emu.Core.Machines;

/// <summary>What the machine controller is asked to do.</summary>
internal enum MachineRequestKind
{
    Resume,
    Pause,
    Reset,
    Shutdown,

    /// <summary>Take a device the guest has let go of out of the machine (after a grace period).</summary>
    Unplug,

    /// <summary>A stopped machine changes to another stopped state (a migration ended, a load finished).</summary>
    SetStoppedState,
}
