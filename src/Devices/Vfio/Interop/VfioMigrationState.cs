namespace Emu.Devices.Vfio.Interop;

/// <summary>enum vfio_device_mig_state: the states of a VFIO device's migration state machine (uAPI v2).</summary>
internal enum VfioMigrationState : uint
{
    /// <summary>The device failed a transition; only a reset leaves it.</summary>
    Error = 0,

    /// <summary>Stopped: no DMA, no interrupts, state frozen.</summary>
    Stop = 1,

    Running = 2,

    /// <summary>Stopped, streaming its whole state through the data fd.</summary>
    StopCopy = 3,

    /// <summary>Taking a state stream through the data fd (destination).</summary>
    Resuming = 4,

    /// <summary>Running but issuing no peer-to-peer DMA to other devices.</summary>
    RunningP2p = 5,

    /// <summary>Running and streaming precopy data.</summary>
    PreCopy = 6,

    PreCopyP2p = 7,
}
