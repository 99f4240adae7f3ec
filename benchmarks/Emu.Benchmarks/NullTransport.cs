using Emu.Devices.Virtio;

namespace Emu.Benchmarks;

/// <summary>A transport that only evaluates whether an interrupt is due.</summary>
internal sealed class NullTransport : IVirtioTransport
{
    public bool IsFailed => false;

    public void SignalUsed(SplitQueue queue) => queue.ShouldNotify();

    public void SignalConfigChange()
    {
    }

    public void Fail(string reason) => throw new InvalidOperationException(reason);

    public void WatchBackend(bool enabled)
    {
    }
}
