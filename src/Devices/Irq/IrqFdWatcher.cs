using Emu.Core.Posix;
using Emu.Devices.HostIo;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Irq;

/// <summary>
/// The thread that does what KVM's irqfd does in the kernel: it sleeps in
/// epoll on every bound trigger eventfd and, when one is signalled, clears its
/// counter and injects the interrupt (through <c>fire</c>). Bindings come and
/// go from any thread; a binding is fired only under the watcher's lock, and
/// removed under it, so once removal returns its eventfds are never touched
/// again. The thread starts with the first binding.
/// </summary>
internal sealed class IrqFdWatcher : IDisposable
{
    private const ulong StopToken = ulong.MaxValue;

    private readonly object _lock = new();
    private readonly Dictionary<ulong, IrqFdBinding> _bindings = new();
    private readonly Action<IrqFdBinding> _fire;
    private readonly ILogger? _logger;
    private readonly EpollSet _epoll = new();
    private readonly EventFd _stop = new(nonBlocking: true);
    private Thread? _thread;
    private ulong _nextToken;
    private volatile bool _stopping;

    public IrqFdWatcher(Action<IrqFdBinding> fire, ILogger? logger)
    {
        _fire = fire;
        _logger = logger;
        _epoll.Add(_stop.Handle, StopToken);
    }

    public void Add(IrqFdBinding binding)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            foreach (IrqFdBinding bound in _bindings.Values)
            {
                // As KVM_IRQFD answers EBUSY: one eventfd triggers one GSI.
                // Two open handles with one number are one file.
                if (ReferenceEquals(bound.Trigger, binding.Trigger) || (!bound.Trigger.Handle.IsClosed && !binding.Trigger.Handle.IsClosed
                    && bound.Trigger.Handle.Fd == binding.Trigger.Handle.Fd))
                    throw new InvalidOperationException($"eventfd {binding.Trigger.Handle.Fd} is already bound to GSI {bound.Gsi}");
            }
            binding.Token = ++_nextToken;
            _bindings.Add(binding.Token, binding);
            try
            {
                _epoll.Add(binding.Trigger.Handle, binding.Token);
            }
            catch
            {
                _bindings.Remove(binding.Token);
                throw;
            }
            if (_thread == null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "irqfd" };
                _thread.Start();
            }
        }
    }

    public void Remove(IrqFdBinding binding)
    {
        lock (_lock)
        {
            if (!_bindings.Remove(binding.Token) || _stopping)
                return;
            // A closed eventfd has left the epoll set by itself.
            if (!binding.Trigger.Handle.IsClosed)
            {
                try
                {
                    _epoll.Remove(binding.Trigger.Handle);
                }
                catch (PosixException)
                {
                }
            }
        }
    }

    private void Run()
    {
        Span<EpollEvent> ready = stackalloc EpollEvent[32];
        while (!_stopping)
        {
            int n = _epoll.Wait(ready);
            for (int i = 0; i < n; i++)
            {
                ulong token = ready[i].Data;
                if (token == StopToken)
                    return;
                lock (_lock)
                {
                    if (_stopping || !_bindings.TryGetValue(token, out IrqFdBinding? binding))
                        continue;
                    try
                    {
                        binding.Trigger.Wait();
                        _fire(binding);
                    }
                    catch (Exception e)
                    {
                        _logger?.LogError(e, "irqfd for GSI {Gsi} failed", binding.Gsi);
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stopping)
                return;
            _stopping = true;
            _bindings.Clear();
        }
        _stop.Signal();
        if (_thread != null && Thread.CurrentThread != _thread)
            _thread.Join();
        _epoll.Dispose();
        _stop.Dispose();
    }
}
