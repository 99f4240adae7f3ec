using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Devices.Virtio;

/// <summary>
/// A virtio device's own logic, independent of the transport: its feature
/// bits, configuration space, queues and how it serves them. Queues are
/// served on the transport's worker thread; configuration accesses arrive on
/// vCPU threads. Request processing must not allocate.
/// </summary>
public abstract partial class VirtioDevice : IDisposable
{
    private SplitQueue[] _queues = Array.Empty<SplitQueue>();

    protected VirtioDevice(int deviceId, int queueCount, ushort queueSize)
    {
        DeviceId = deviceId;
        QueueCount = queueCount;
        QueueSize = queueSize;
    }

    /// <summary>Virtio device ID (section 5).</summary>
    public int DeviceId { get; }

    public int QueueCount { get; }

    /// <summary>Maximum size of each queue.</summary>
    public ushort QueueSize { get; }

    /// <summary>Device-specific feature bits offered (the transport adds its own).</summary>
    public abstract ulong DeviceFeatures { get; }

    /// <summary>Bytes of device configuration space.</summary>
    public abstract int ConfigSize { get; }

    /// <summary>Features the driver accepted (valid while active).</summary>
    public ulong NegotiatedFeatures { get; private set; }

    protected IVirtioTransport Transport { get; private set; } = null!;

    protected GuestMemory Memory { get; private set; } = null!;

    public IReadOnlyList<SplitQueue> Queues => _queues;

    /// <summary>A file descriptor the worker should watch for the device (a tap), or null.</summary>
    public virtual FileDescriptor? BackendHandle => null;

    /// <summary>Connects the device to its transport and guest memory, and creates its queues.</summary>
    public void Attach(IVirtioTransport transport, GuestMemory memory)
    {
        Transport = transport;
        Memory = memory;
        _queues = new SplitQueue[QueueCount];
        for (int i = 0; i < QueueCount; i++)
            _queues[i] = new SplitQueue(memory, i, QueueSize);
    }

    /// <summary>Reads device configuration bytes; the offset and length are within <see cref="ConfigSize"/>.</summary>
    public abstract void ReadConfig(int offset, Span<byte> data);

    /// <summary>Writes device configuration bytes (most fields are read-only: ignored by default).</summary>
    public virtual void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
    }

    /// <summary>The driver set DRIVER_OK; the queues are validated and active.</summary>
    public virtual void Activate(ulong features) => NegotiatedFeatures = features;

    /// <summary>The driver reset the device: forget everything negotiated.</summary>
    public virtual void Reset() => NegotiatedFeatures = 0;

    /// <summary>The driver notified <paramref name="queue"/> (on the worker thread).</summary>
    public abstract void ProcessQueue(int queue);

    /// <summary>
    /// Whether work is waiting that the device can see without a system call
    /// (chains in a queue, backend completions): the worker polls this for a
    /// few microseconds before it sleeps, as a busy device gets new work
    /// sooner than a wake-up would bring it.
    /// </summary>
    public virtual bool HasPolledWork => false;

    /// <summary>
    /// The device keeps driver notifications off after serving its queues and
    /// turns them on only in <see cref="PrepareToSleep"/>, when the worker is
    /// about to block: while it is busy or polling, the driver makes chains
    /// available without notifying (2.7.10), which saves the guest an exit per request.
    /// </summary>
    protected virtual bool DefersNotifications => false;

    /// <summary>
    /// The worker is about to sleep: ask the driver for notifications where
    /// needed. Returns true when work arrived meanwhile (then the worker serves
    /// it instead of sleeping).
    /// </summary>
    public virtual bool PrepareToSleep() => false;

    /// <summary>Serves what <see cref="HasPolledWork"/> saw (on the worker thread).</summary>
    public virtual void ServePolledWork()
    {
    }

    /// <summary><see cref="BackendHandle"/> is ready (on the worker thread).</summary>
    public virtual void ProcessBackend()
    {
    }

    /// <summary>
    /// Serves every available chain of <paramref name="queue"/> with
    /// <see cref="HandleChain"/>, with notifications suppressed meanwhile,
    /// then interrupts the driver once if it wants it.
    /// </summary>
    protected void DrainQueue(SplitQueue queue)
    {
        bool pushed = false;
        do
        {
            queue.DisableNotifications();
            while (CanTakeRequest(queue))
            {
                PopResult result = queue.TryPop();
                if (result == PopResult.Empty)
                    break;
                if (result == PopResult.Error)
                {
                    FailQueue(queue, queue.Error);
                    return;
                }
                DescriptorChain chain = queue.Chain;
                switch (HandleChain(queue, chain, out uint written))
                {
                    case RequestOutcome.Completed:
                        queue.Push(chain.Head, written);
                        pushed = true;
                        break;
                    case RequestOutcome.Malformed:
                        FailQueue(queue, VirtqError.BadRequest);
                        return;
                }
            }
            SubmitDeferred();
        }
        while (!DefersNotifications && queue.EnableNotifications() && CanTakeRequest(queue));
        if (pushed)
            Transport.SignalUsed(queue);
    }

    /// <summary>Whether the device has room for another request of <paramref name="queue"/> (requests in flight are bounded).</summary>
    protected virtual bool CanTakeRequest(SplitQueue queue) => true;

    /// <summary>Hands the requests deferred during a drain to the backend in one batch.</summary>
    protected virtual void SubmitDeferred()
    {
    }

    /// <summary>Reports a queue violation (error path: allocates the message).</summary>
    protected void FailQueue(SplitQueue queue, VirtqError error) =>
        Transport.Fail($"queue {queue.Index}: {error} (chain head {queue.Chain.Head}, available index {queue.LastAvailIndex})");

    /// <summary>
    /// Serves one validated chain: completed (with the bytes written into its
    /// device-writable buffers), deferred to the backend, or malformed (the
    /// device then needs a reset).
    /// </summary>
    protected virtual RequestOutcome HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        return RequestOutcome.Completed;
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
