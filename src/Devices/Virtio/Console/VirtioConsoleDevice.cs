using Emu.Core.Posix;
using Emu.Devices.Chardev;

namespace Emu.Devices.Virtio.Console;

/// <summary>
/// virtio-console without multiport (virtio 1.2 section 5.3): one port, the
/// guest's hvc0, on a character backend. Queue 0 (receiveq) takes input from
/// the backend, queue 1 (transmitq) carries the guest's output to it.
/// Input arrives on the backend's own thread into a small ring and is moved
/// into the guest's buffers on the device's worker thread; when the ring is
/// full the backend waits (back-pressure, nothing is lost).
/// </summary>
public sealed partial class VirtioConsoleDevice : VirtioDevice, IChardevFrontend
{
    public const int ReceiveQueue = 0, TransmitQueue = 1;
    private const int RingSize = 4096;

    private readonly Chardev.Chardev? _backend;
    private readonly byte[] _ring = new byte[RingSize];
    private readonly object _ringLock = new();
    private readonly EventFd _inputReady = new(nonBlocking: true);
    private int _ringStart;
    private int _ringCount;

    public VirtioConsoleDevice(Chardev.Chardev? backend) : base(VirtioDeviceId.Console, 2, 256)
    {
        _backend = backend;
        backend?.Attach(this);
    }

    /// <summary>Bytes the guest wrote to the console.</summary>
    public long BytesOut { get; private set; }

    public override ulong DeviceFeatures => 0;

    // struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr (5.3.4).
    public override int ConfigSize => 12;

    public override FileDescriptor? BackendHandle => _inputReady.Handle;

    public override void ReadConfig(int offset, Span<byte> data) => data.Clear();

    /// <summary>Input from the backend (its thread): takes what fits in the ring.</summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        int taken;
        lock (_ringLock)
        {
            taken = Math.Min(data.Length, RingSize - _ringCount);
            for (int i = 0; i < taken; i++)
                _ring[(_ringStart + _ringCount + i) % RingSize] = data[i];
            _ringCount += taken;
        }
        if (taken > 0)
            _inputReady.Signal();
        return taken;
    }

    public override void ProcessQueue(int queue)
    {
        if (queue == TransmitQueue)
            DrainQueue(Queues[TransmitQueue]);
        else if (queue == ReceiveQueue)
            DeliverInput();
    }

    public override void ProcessBackend()
    {
        _inputReady.Wait();
        DeliverInput();
    }

    // Guest output: every device-readable byte of the chain goes to the backend.
    protected override RequestOutcome HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        for (int i = 0; i < chain.FirstWritable; i++)
        {
            ReadOnlySpan<byte> data = chain[i].Span;
            _backend?.Write(data);
            BytesOut += data.Length;
        }
        return RequestOutcome.Completed;
    }

    // Moves ring bytes into receive buffers while both have some.
    private void DeliverInput()
    {
        SplitQueue queue = Queues[ReceiveQueue];
        bool pushed = false, freed = false;
        while (true)
        {
            int count;
            lock (_ringLock)
                count = _ringCount;
            if (count == 0)
                break;
            PopResult result = queue.TryPop();
            if (result == PopResult.Empty)
            {
                // Input waits: ask for a notification when buffers come (some may have come meanwhile).
                if (queue.EnableNotifications())
                    continue;
                break;
            }
            if (result == PopResult.Error)
            {
                FailQueue(queue, queue.Error);
                return;
            }
            DescriptorChain chain = queue.Chain;
            if (chain.FirstWritable != 0)
            {
                FailQueue(queue, VirtqError.BadRequest);
                return;
            }
            int copied;
            lock (_ringLock)
            {
                int n = (int)Math.Min((ulong)_ringCount, chain.WritableLength);
                int first = Math.Min(n, RingSize - _ringStart);
                copied = chain.WriteTo(0, _ring.AsSpan(_ringStart, first));
                if (n > first)
                    copied += chain.WriteTo((ulong)first, _ring.AsSpan(0, n - first));
                _ringStart = (_ringStart + copied) % RingSize;
                _ringCount -= copied;
            }
            queue.Push(chain.Head, (uint)copied);
            pushed = true;
            freed = true;
        }
        if (pushed)
            Transport.SignalUsed(queue);
        if (freed)
            _backend?.NotifyReceiveSpace();
    }

    public override void Reset()
    {
        lock (_ringLock)
            _ringStart = _ringCount = 0;
        _backend?.NotifyReceiveSpace();
        base.Reset();
    }

    public override void Dispose()
    {
        _backend?.Detach(this);
        _inputReady.Dispose();
        base.Dispose();
    }
}
