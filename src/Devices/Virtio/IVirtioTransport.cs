namespace Emu.Devices.Virtio;

/// <summary>What a virtio device needs from its transport (virtio-pci, or a test bench).</summary>
public interface IVirtioTransport
{
    /// <summary>
    /// The device put buffers in <paramref name="queue"/>'s used ring: interrupt
    /// the driver if it asked for it (used buffer notification, 2.7.7). Allocation-free.
    /// </summary>
    void SignalUsed(SplitQueue queue);

    /// <summary>The device configuration changed (2.4.2).</summary>
    void SignalConfigChange();

    /// <summary>
    /// The driver broke the rules: set DEVICE_NEEDS_RESET, tell the driver
    /// (configuration change notification, 2.1.2) and log one line. The
    /// device stops processing until the driver resets it.
    /// </summary>
    void Fail(string reason);

    /// <summary>True after <see cref="Fail"/> until the next reset.</summary>
    bool IsFailed { get; }

    /// <summary>Starts or stops watching the device's backend file descriptor (e.g. no receive buffers: stop reading the tap).</summary>
    void WatchBackend(bool enabled);
}
