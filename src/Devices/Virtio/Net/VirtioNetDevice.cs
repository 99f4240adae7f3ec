using Emu.Core.Posix;
using System.Runtime.InteropServices;
using Emu.Devices.Block;
using Emu.Devices.Net;

namespace Emu.Devices.Virtio.Net;

/// <summary>
/// virtio-net (virtio 1.2 section 5.1) on a tap interface: queue 0 receives,
/// queue 1 transmits; features MAC, STATUS and MRG_RXBUF, no offloads. Every
/// frame carries the 12-byte struct virtio_net_hdr_mrg_rxbuf, which the tap
/// (IFF_VNET_HDR) reads and writes as is.
///
/// Transmit gathers a chain's readable buffers straight into one writev to
/// the tap. Receive reads a frame from the tap into a host buffer and
/// scatters it over as many receive chains as it needs (mergeable receive
/// buffers, 5.1.6.4), setting num_buffers in the first one and publishing
/// all of them at once. Without enough buffers the chains are given back and
/// the frame waits; the tap is not read until the driver adds buffers.
/// </summary>
public sealed unsafe partial class VirtioNetDevice : VirtioDevice
{
    public const int ReceiveQueue = 0, TransmitQueue = 1;
    public const ulong FeatureMac = 1UL << 5;
    public const ulong FeatureMergeableRxBuffers = 1UL << 15;
    public const ulong FeatureStatus = 1UL << 16;
    private const int HeaderSize = 12;
    private const int MaxFrame = 65536 + HeaderSize;

    private readonly INetBackend _tap;
    private readonly byte[] _mac;
    private readonly byte* _frame;
    private readonly IoVec* _iov;
    private readonly ushort[] _heads;
    private readonly uint[] _lengths;
    private int _frameLength;

    public VirtioNetDevice(INetBackend tap, byte[] mac, ushort queueSize = 256) : base(VirtioDeviceId.Net, 2, queueSize)
    {
        if (mac.Length != 6)
            throw new ArgumentException("a MAC address has 6 bytes", nameof(mac));
        _tap = tap;
        _mac = mac;
        _frame = (byte*)NativeMemory.Alloc(MaxFrame);
        _iov = (IoVec*)NativeMemory.Alloc(queueSize, (nuint)sizeof(IoVec));
        _heads = new ushort[queueSize];
        _lengths = new uint[queueSize];
    }

    public long FramesSent { get; private set; }

    public long FramesReceived { get; private set; }

    public long FramesDropped { get; private set; }

    public override ulong DeviceFeatures => FeatureMac | FeatureStatus | FeatureMergeableRxBuffers;

    // struct virtio_net_config: mac[6], status (le16), max_virtqueue_pairs (le16) (5.1.4).
    public override int ConfigSize => 10;

    public override FileDescriptor? BackendHandle => _tap.Handle;

    public override void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[10];
        _mac.CopyTo(config);
        config[6] = 1; // VIRTIO_NET_S_LINK_UP
        config[7] = 0;
        config[8] = 1; // one queue pair
        config[9] = 0;
        config.Slice(offset, data.Length).CopyTo(data);
    }

    public override void ProcessQueue(int queue)
    {
        if (queue == TransmitQueue)
        {
            DrainQueue(Queues[TransmitQueue]);
        }
        else if (queue == ReceiveQueue)
        {
            // New receive buffers: deliver the frame that waits and read the tap again.
            Transport.WatchBackend(true);
            ProcessBackend();
        }
    }

    // Transmit: header and frame, device-readable, to the tap in one writev.
    protected override RequestOutcome HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        if (chain.ReadableLength < HeaderSize || chain.ReadableLength > MaxFrame)
            return RequestOutcome.Malformed;
        for (int i = 0; i < chain.FirstWritable; i++)
            _iov[i] = new IoVec(chain[i].HostAddress, chain[i].Length);
        if (_tap.Write(_iov, chain.FirstWritable))
            FramesSent++;
        else
            FramesDropped++;
        return RequestOutcome.Completed;
    }

    /// <summary>The tap has frames (worker thread).</summary>
    public override void ProcessBackend()
    {
        SplitQueue queue = Queues[ReceiveQueue];
        if (!queue.IsActive || Transport.IsFailed)
            return;
        bool delivered = false;
        while (true)
        {
            if (_frameLength == 0)
            {
                int n = _tap.Read(new Span<byte>(_frame, MaxFrame));
                if (n <= 0)
                    break;
                if (n < HeaderSize)
                    continue;
                _frameLength = n;
            }
            ushort seen = queue.DriverAvailIndex;
            if (!Deliver())
            {
                if (Transport.IsFailed)
                    break;
                // Ask for a notification when more buffers come; some may have come meanwhile.
                if (queue.RequestNotificationBeyond(seen))
                    continue;
                // No room: stop reading the tap until the driver adds buffers.
                Transport.WatchBackend(false);
                break;
            }
            delivered = true;
        }
        if (delivered)
            Transport.SignalUsed(queue);
    }

    // Scatters the pending frame over receive chains; false (chains given back) when they run out.
    private bool Deliver()
    {
        SplitQueue queue = Queues[ReceiveQueue];
        bool mergeable = (NegotiatedFeatures & FeatureMergeableRxBuffers) != 0;
        int used = 0;
        int offset = 0;
        nint numBuffersLow = 0, numBuffersHigh = 0;
        var frame = new ReadOnlySpan<byte>(_frame, _frameLength);
        while (offset < _frameLength)
        {
            if (used == _heads.Length || (used == 1 && !mergeable))
            {
                // Bigger than the buffers the driver gives: dropped, as a NIC would.
                queue.Unpop(used);
                FramesDropped++;
                _frameLength = 0;
                return true;
            }
            PopResult result = queue.TryPop();
            if (result == PopResult.Empty)
            {
                queue.Unpop(used);
                return false;
            }
            DescriptorChain chain = queue.Chain;
            if (result == PopResult.Error || chain.FirstWritable != 0 || (used == 0 && chain.WritableLength < HeaderSize))
            {
                FailQueue(queue, result == PopResult.Error ? queue.Error : VirtqError.BadRequest);
                _frameLength = 0;
                return false;
            }
            if (used == 0)
                LocateNumBuffers(chain, out numBuffersLow, out numBuffersHigh);
            int n = chain.WriteTo(0, frame.Slice(offset));
            _heads[used] = chain.Head;
            _lengths[used] = (uint)n;
            used++;
            offset += n;
        }
        // num_buffers (le16 at header offset 10): how many chains the frame took.
        *(byte*)numBuffersLow = (byte)used;
        *(byte*)numBuffersHigh = (byte)(used >> 8);
        for (int i = 0; i < used; i++)
            queue.AddUsed(_heads[i], _lengths[i]);
        queue.PublishUsed();
        FramesReceived++;
        _frameLength = 0;
        return true;
    }

    // Host addresses of header bytes 10 and 11, wherever the driver's buffers split them.
    private static void LocateNumBuffers(DescriptorChain chain, out nint low, out nint high)
    {
        low = high = 0;
        ulong at = 0;
        for (int i = chain.FirstWritable; i < chain.Count; i++)
        {
            ref readonly VirtqSegment s = ref chain[i];
            if (low == 0 && 10 < at + s.Length)
                low = s.HostAddress + (nint)(10 - at);
            if (11 < at + s.Length)
            {
                high = s.HostAddress + (nint)(11 - at);
                return;
            }
            at += s.Length;
        }
    }

    public override void Reset()
    {
        _frameLength = 0;
        base.Reset();
    }

    public override void Dispose()
    {
        NativeMemory.Free(_frame);
        NativeMemory.Free(_iov);
        base.Dispose();
    }
}
