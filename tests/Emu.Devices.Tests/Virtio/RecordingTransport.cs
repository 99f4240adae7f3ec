using Emu.Devices.Virtio;

namespace Emu.Devices.Tests.Virtio;

/// <summary>A transport that records what the device asks of it.</summary>
internal sealed class RecordingTransport : IVirtioTransport
{
    public List<string> Failures { get; } = new();

    public int UsedSignals { get; private set; }

    public int ConfigSignals { get; private set; }

    public bool IsFailed => Failures.Count > 0;

    public void SignalUsed(SplitQueue queue)
    {
        if (queue.ShouldNotify())
            UsedSignals++;
    }

    public void SignalConfigChange() => ConfigSignals++;

    public void Fail(string reason) => Failures.Add(reason);

    public void WatchBackend(bool enabled)
    {
    }
}
