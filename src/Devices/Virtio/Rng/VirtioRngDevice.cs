using System.Security.Cryptography;

namespace Emu.Devices.Virtio.Rng;

/// <summary>
/// virtio-rng, the entropy device (virtio 1.2 section 5.4): one request
/// queue of device-writable buffers, filled from the host's random source
/// (getrandom through the runtime's cryptographic generator). No features,
/// no configuration.
/// </summary>
public sealed class VirtioRngDevice : VirtioDevice
{
    public VirtioRngDevice() : base(VirtioDeviceId.Entropy, 1, 256)
    {
    }

    public override ulong DeviceFeatures => 0;

    public override int ConfigSize => 0;

    /// <summary>Random bytes handed to the guest.</summary>
    public long BytesProvided { get; private set; }

    public override void ReadConfig(int offset, Span<byte> data) => data.Clear();

    public override void ProcessQueue(int queue)
    {
        if (queue == 0)
            DrainQueue(Queues[0]);
    }

    protected override RequestOutcome HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        // The driver must not place driver-readable buffers here (5.4.6.1).
        if (chain.FirstWritable != 0)
            return RequestOutcome.Malformed;
        for (int i = 0; i < chain.Count; i++)
        {
            Span<byte> buffer = chain[i].Span;
            RandomNumberGenerator.Fill(buffer);
            written += (uint)buffer.Length;
        }
        BytesProvided += written;
        return RequestOutcome.Completed;
    }
}
