namespace Emu.Devices.Virtio;

/// <summary>What serving one chain gave.</summary>
public enum RequestOutcome
{
    /// <summary>Done: return the chain to the driver now.</summary>
    Completed,

    /// <summary>In flight on the backend: the device returns the chain when it completes.</summary>
    Deferred,

    /// <summary>The request is malformed: the device needs a reset.</summary>
    Malformed,
}
