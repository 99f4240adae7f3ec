using Emu.Core.Objects;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Chardev;

/// <summary>
/// A character backend: where a serial port's or console's bytes go and come
/// from (stdio, a file, a socket, nothing). Output is queued in order in a
/// bounded buffer and written by a thread of the backend's own (dropped and
/// counted when the consumer stalls, see <see cref="ChardevOutput"/>); input
/// is read on another thread and handed to the frontend with back-pressure.
/// </summary>
public abstract class Chardev : EmuObject, IDisposable
{
    public static readonly ObjectType TypeInfo = new("chardev", null, null, "Base type of character backends");

    private readonly object _inputLock = new();
    private readonly object _outputLock = new();
    private ChardevOutput? _output;
    private IChardevFrontend? _frontend;
    private bool _disposed;

    protected Chardev(ObjectType type) : base(type)
    {
    }

    public IChardevFrontend? Frontend => _frontend;

    /// <summary>Connects a device; a backend serves one frontend.</summary>
    public void Attach(IChardevFrontend frontend)
    {
        if (Interlocked.CompareExchange(ref _frontend, frontend, null) != null)
            throw new InvalidOperationException($"chardev '{Id}' is already in use by another device");
        StartInput();
    }

    public void Detach(IChardevFrontend frontend)
    {
        Interlocked.CompareExchange(ref _frontend, null, frontend);
        NotifyReceiveSpace();
    }

    /// <summary>Where warnings about this backend go (dropped output).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Guest output dropped because the consumer did not keep up (see <see cref="ChardevOutput"/>).</summary>
    public long DroppedBytes => _output?.DroppedBytes ?? 0;

    /// <summary>Guest output handed to the host.</summary>
    public long WrittenBytes => _output?.WrittenBytes ?? 0;

    /// <summary>System calls that handed it over (one per batch, not per byte).</summary>
    public long OutputWrites => _output?.Writes ?? 0;

    /// <summary>What a listing shows as the backend's address ("stdio", "file:PATH", "unix:PATH,server=on").</summary>
    public virtual string Describe() => Type.Name.StartsWith("chardev-", StringComparison.Ordinal) ? Type.Name["chardev-".Length..] : Type.Name;

    /// <summary>Bytes of output held for a slow consumer before output is dropped.</summary>
    protected virtual int OutputCapacity => 64 * 1024;

    /// <summary>How long closing waits for queued output to be written.</summary>
    protected virtual TimeSpan DrainTimeout => TimeSpan.FromSeconds(2);

    /// <summary>
    /// Writes guest output. Called on vCPU or device threads: the bytes are
    /// queued for the backend's writer thread (<see cref="WriteOut"/>), so the
    /// guest never blocks on the host; no allocation after the first call.
    /// </summary>
    public virtual void Write(ReadOnlySpan<byte> data)
    {
        if (_disposed)
            return;
        (_output ?? StartOutput()).Enqueue(data);
    }

    /// <summary>
    /// Writes a batch of output on the backend's writer thread, blocking as
    /// long as the host needs. Returns false when the descriptor failed for
    /// good (later output is discarded).
    /// </summary>
    protected virtual bool WriteOut(ReadOnlySpan<byte> data) => true;

    /// <summary>Waits until the output queued so far is written (tests, orderly shutdown).</summary>
    public bool FlushOutput(TimeSpan timeout) => _output?.Flush(timeout) ?? true;

    private ChardevOutput StartOutput()
    {
        lock (_outputLock)
        {
            if (_output == null)
            {
                var output = new ChardevOutput(Id ?? Type.Name, OutputCapacity, data => WriteOut(data.Span)) { Logger = Logger };
                Volatile.Write(ref _output, output);
            }
            return _output;
        }
    }

    /// <summary>Starts delivering input to the frontend (backends without input do nothing).</summary>
    protected virtual void StartInput()
    {
    }

    /// <summary>The frontend has room again: wake the input thread.</summary>
    public void NotifyReceiveSpace()
    {
        lock (_inputLock)
            Monitor.PulseAll(_inputLock);
    }

    /// <summary>
    /// Hands <paramref name="data"/> to the frontend, waiting for room as
    /// needed. Returns false when the backend is closing or the frontend is gone.
    /// </summary>
    protected bool DeliverAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            IChardevFrontend? frontend = _frontend;
            if (frontend == null || _disposed)
                return false;
            int taken = frontend.Receive(data);
            if (taken > 0)
            {
                data = data.Slice(taken);
                continue;
            }
            lock (_inputLock)
            {
                // Re-check under the lock; the timeout covers a racing notification.
                if (!_disposed)
                    Monitor.Wait(_inputLock, 100);
            }
        }
        return true;
    }

    protected bool IsDisposed => _disposed;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NotifyReceiveSpace();
        lock (_outputLock)
            _output?.Close(DrainTimeout);
        Close();
        GC.SuppressFinalize(this);
    }

    protected virtual void Close()
    {
    }
}
