using Emu.Core.Posix;

namespace Emu.Devices.Irq;

/// <summary>An eventfd bound to a GSI (irqfd), with an optional resample eventfd; disposing unbinds it.</summary>
internal sealed class IrqFdBinding : IDisposable
{
    private readonly UserspaceInterruptController _owner;
    private int _disposed;

    public IrqFdBinding(UserspaceInterruptController owner, EventFd trigger, int gsi, EventFd? resample)
    {
        _owner = owner;
        Trigger = trigger;
        Gsi = gsi;
        Resample = resample;
    }

    public EventFd Trigger { get; }

    public int Gsi { get; }

    public EventFd? Resample { get; }

    /// <summary>The epoll token of the binding (set by the watcher).</summary>
    public ulong Token { get; set; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _owner.RemoveIrqFd(this);
    }
}
