using Emu.Core.Objects;

namespace Emu.Devices.Chardev;

/// <summary>
/// A character backend: where a serial port's or console's bytes go and come
/// from (stdio, a file, a socket, nothing). Output is written synchronously in
/// order; input is read on a thread of the backend's own and handed to the
/// frontend with back-pressure.
/// </summary>
public abstract class Chardev : EmuObject, IDisposable
{
    public static readonly ObjectType TypeInfo = new("chardev", null, null, "Base type of character backends");

    private readonly object _inputLock = new();
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

    /// <summary>Writes guest output. Called on vCPU or device threads; must not allocate.</summary>
    public abstract void Write(ReadOnlySpan<byte> data);

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
        Close();
        GC.SuppressFinalize(this);
    }

    protected virtual void Close()
    {
    }
}
