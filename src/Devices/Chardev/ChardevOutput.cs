using Microsoft.Extensions.Logging;

namespace Emu.Devices.Chardev;

/// <summary>
/// Guest output on its way to a backend: a bounded ring the guest's threads
/// append to, and a writer thread of the backend's own that empties it with
/// one system call per batch. The guest never waits for the host: when the
/// consumer (a socket client that stopped reading, a stuck terminal) falls
/// behind by a whole ring, further bytes are dropped and counted, and the
/// first drop is logged once. The UART hands over one byte per THR write;
/// appending costs a copy under a short lock, and a wake-up (a futex call)
/// only when the writer thread has gone idle, so a burst of output becomes
/// one write(2).
/// </summary>
internal sealed class ChardevOutput : IDisposable
{
    private readonly object _lock = new();
    private readonly byte[] _ring;
    private readonly Thread _thread;
    private readonly Func<ReadOnlyMemory<byte>, bool> _sink;
    private readonly string _name;
    private int _head, _count;
    private bool _writerIdle, _closing;
    private long _dropped, _writes, _written;
    private int _dropLogged;

    /// <param name="name">The chardev's id, for the thread and the log.</param>
    /// <param name="capacity">Bytes held before output is dropped.</param>
    /// <param name="sink">Writes a batch, blocking as long as the host needs; false when the descriptor failed for good (output is then discarded, not counted as dropped).</param>
    public ChardevOutput(string name, int capacity, Func<ReadOnlyMemory<byte>, bool> sink)
    {
        _name = name;
        _ring = new byte[capacity];
        _sink = sink;
        _thread = new Thread(WriterLoop) { IsBackground = true, Name = $"chardev-out-{name}" };
        _thread.Start();
    }

    public ILogger? Logger { get; set; }

    /// <summary>Bytes the guest wrote that were dropped because the ring was full.</summary>
    public long DroppedBytes => Interlocked.Read(ref _dropped);

    /// <summary>Bytes handed to the host.</summary>
    public long WrittenBytes => Interlocked.Read(ref _written);

    /// <summary>Batches handed to the host (write(2)/send(2) calls, short writes aside).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Bytes waiting in the ring.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>Appends guest output; never blocks on the host, never allocates.</summary>
    public void Enqueue(ReadOnlySpan<byte> data)
    {
        int dropped = 0;
        lock (_lock)
        {
            if (_closing)
                return;
            int room = _ring.Length - _count;
            if (data.Length > room)
            {
                dropped = data.Length - room;
                data = data.Slice(0, room);
            }
            if (!data.IsEmpty)
            {
                int tail = (_head + _count) % _ring.Length;
                int first = Math.Min(data.Length, _ring.Length - tail);
                data.Slice(0, first).CopyTo(_ring.AsSpan(tail));
                data.Slice(first).CopyTo(_ring);
                _count += data.Length;
                if (_writerIdle)
                {
                    _writerIdle = false;
                    Monitor.PulseAll(_lock); // Flush may wait on the same monitor
                }
            }
        }
        if (dropped > 0)
            CountDrop(dropped);
    }

    private void CountDrop(int bytes)
    {
        long total = Interlocked.Add(ref _dropped, bytes);
        // Once per backend: the guest may go on printing into a stalled client for hours.
        if (Interlocked.Exchange(ref _dropLogged, 1) == 0)
            Logger?.LogWarning("chardev '{Id}': the output is not being read fast enough; guest output is dropped ({Bytes} bytes so far; query-chardev counts them)", _name, total);
    }

    // Writes the ring out, from its head, a contiguous piece at a time; the
    // piece stays in the ring (so the guest's appends never touch it) until it is written.
    private void WriterLoop()
    {
        bool broken = false;
        while (true)
        {
            int start, length;
            lock (_lock)
            {
                while (_count == 0 && !_closing)
                {
                    _writerIdle = true;
                    Monitor.Wait(_lock);
                }
                if (_count == 0)
                    return;
                start = _head;
                length = Math.Min(_count, _ring.Length - _head);
            }
            if (!broken)
            {
                broken = !_sink(new ReadOnlyMemory<byte>(_ring, start, length));
                Interlocked.Increment(ref _writes);
                if (!broken)
                    Interlocked.Add(ref _written, length);
            }
            lock (_lock)
            {
                _head = (_head + length) % _ring.Length;
                _count -= length;
                if (_count == 0)
                    Monitor.PulseAll(_lock); // Flush waits for this
            }
        }
    }

    /// <summary>Waits until what was queued so far has been written, or <paramref name="timeout"/> passed; true when drained.</summary>
    public bool Flush(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_count > 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !_thread.IsAlive)
                    return false;
                Monitor.Wait(_lock, (int)Math.Min(left, 100));
            }
        }
        return true;
    }

    /// <summary>
    /// Stops taking output and lets the writer finish what is queued for up
    /// to <paramref name="drainTimeout"/> (a stalled consumer is then left
    /// behind; the caller closes its descriptor, which ends a blocked write).
    /// </summary>
    public void Close(TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            _closing = true;
            Monitor.PulseAll(_lock);
        }
        _thread.Join(drainTimeout);
    }

    public void Dispose() => Close(TimeSpan.Zero);
}
