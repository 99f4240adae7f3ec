namespace Emu.Devices.Virtio;

/// <summary>What taking the next chain from the available ring gave.</summary>
public enum PopResult
{
    /// <summary>The driver has made nothing new available.</summary>
    Empty,

    /// <summary>A chain was parsed and validated.</summary>
    Chain,

    /// <summary>The driver broke the rules; see the queue's <see cref="SplitQueue.Error"/>.</summary>
    Error,
}
