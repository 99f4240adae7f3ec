using System.Runtime.CompilerServices;

namespace Emu.Core.Memory;

/// <summary>
/// A root region and its current flat view, e.g. the system memory space or
/// the x86 I/O port space. Accesses are dispatched by looking the address up
/// in the current view, lock-free and allocation-free. Accesses that hit
/// nothing read as all ones and writes to them are dropped, as on a PC bus.
/// </summary>
public sealed class AddressSpace
{
    private readonly object _topologyLock;
    private readonly List<IMemoryListener> _listeners = new();
    private readonly List<FlatRange> _removed = new();
    private readonly List<FlatRange> _added = new();
    private volatile FlatView _view = FlatView.Empty;
    private long _unassignedAccesses;
    private long _listenerFailures;

    internal AddressSpace(string name, MemoryRegion root, object topologyLock)
    {
        Name = name;
        Root = root;
        _topologyLock = topologyLock;
    }

    public string Name { get; }

    public MemoryRegion Root { get; }

    /// <summary>The current flat view (an immutable snapshot).</summary>
    public FlatView View => _view;

    /// <summary>Accesses that hit no region, or wrote to ROM, since start.</summary>
    public long UnassignedAccesses => Interlocked.Read(ref _unassignedAccesses);

    /// <summary>Ranges a listener could not add or remove (see <see cref="ListenerFailed"/>).</summary>
    public long ListenerFailures => Interlocked.Read(ref _listenerFailures);

    /// <summary>
    /// A listener failed on a range (listener, range, error, true for an
    /// addition): raised after the whole update has been delivered, with the
    /// topology's lock held. The machine logs it; a removal that failed means
    /// the accelerator may still map memory about to be freed, and stops it.
    /// </summary>
    public event Action<IMemoryListener, FlatRange, Exception, bool>? ListenerFailed;

    public void AddListener(IMemoryListener listener)
    {
        lock (_topologyLock)
        {
            _listeners.Add(listener);
            listener.BeginUpdate();
            foreach (ref readonly FlatRange range in _view.Ranges)
                listener.RangeAdded(range);
            listener.CommitUpdate();
        }
    }

    /// <summary>Detaches a listener, first sending it the removal of every current range.</summary>
    public void RemoveListener(IMemoryListener listener)
    {
        lock (_topologyLock)
        {
            if (!_listeners.Remove(listener))
                return;
            listener.BeginUpdate();
            foreach (ref readonly FlatRange range in _view.Ranges)
                listener.RangeRemoved(range);
            listener.CommitUpdate();
        }
    }

    internal void Render()
    {
        FlatView next = FlatViewBuilder.Render(Root);
        FlatView previous = _view;
        _removed.Clear();
        _added.Clear();
        next.Diff(previous, _removed, _added);
        // Publish first: a vCPU that exits on an address in transition is
        // served from the new view while the listeners catch up.
        _view = next;
        if (_removed.Count == 0 && _added.Count == 0)
            return;
        // Every listener gets the whole change, whatever another listener, or
        // another range, did: a range a listener refuses (KVM out of memory
        // slots, the IOMMU refusing a mapping) is simply not in it, which the
        // listener's own bookkeeping knows, and accesses to such a range exit
        // to the VMM, which serves them from this view. Nothing a guest maps
        // where can make the change stop half-way and leave the accelerator,
        // the IOMMU and this view disagreeing, and nothing of it reaches the
        // vCPU that wrote the BAR.
        List<(IMemoryListener, FlatRange, Exception, bool)>? failures = null;
        foreach (IMemoryListener listener in _listeners)
        {
            try
            {
                listener.BeginUpdate();
            }
            catch (Exception e)
            {
                (failures ??= new()).Add((listener, default, e, true));
            }
            foreach (FlatRange r in _removed)
            {
                try
                {
                    listener.RangeRemoved(r);
                }
                catch (Exception e)
                {
                    (failures ??= new()).Add((listener, r, e, false));
                }
            }
            foreach (FlatRange r in _added)
            {
                try
                {
                    listener.RangeAdded(r);
                }
                catch (Exception e)
                {
                    (failures ??= new()).Add((listener, r, e, true));
                }
            }
            try
            {
                listener.CommitUpdate();
            }
            catch (Exception e)
            {
                (failures ??= new()).Add((listener, default, e, true));
            }
        }
        if (failures == null)
            return;
        foreach ((IMemoryListener listener, FlatRange range, Exception error, bool added) in failures)
        {
            Interlocked.Increment(ref _listenerFailures);
            ListenerFailed?.Invoke(listener, range, error, added);
        }
    }

    /// <summary>Reads <paramref name="data"/>.Length bytes at <paramref name="address"/> as the CPU would.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(ulong address, Span<byte> data)
    {
        FlatView view = _view;
        if (view.Locate(address, out int i))
        {
            ref readonly FlatRange r = ref view[i];
            ulong offset = address - r.Start;
            if ((ulong)data.Length <= r.Size - offset)
            {
                ReadFrom(in r, offset, data);
                return;
            }
        }
        else if (FitsInHole(view, i, address, data.Length))
        {
            Interlocked.Increment(ref _unassignedAccesses);
            data.Fill(0xFF);
            return;
        }
        ReadSlow(view, address, data);
    }

    // An access that lies wholly in the hole before range `next` (common: port 0x80, a probe of an empty slot).
    private static bool FitsInHole(FlatView view, int next, ulong address, int length) =>
        next >= view.Count || view[next].Start - address >= (ulong)length;

    /// <summary>Writes <paramref name="data"/> at <paramref name="address"/> as the CPU would.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        FlatView view = _view;
        if (view.Locate(address, out int i))
        {
            ref readonly FlatRange r = ref view[i];
            ulong offset = address - r.Start;
            if ((ulong)data.Length <= r.Size - offset)
            {
                WriteTo(in r, offset, data);
                return;
            }
        }
        else if (FitsInHole(view, i, address, data.Length))
        {
            Interlocked.Increment(ref _unassignedAccesses);
            return;
        }
        WriteSlow(view, address, data);
    }

    private unsafe void ReadFrom(in FlatRange r, ulong offset, Span<byte> data)
    {
        switch (r.Region.Kind)
        {
            case MemoryRegionKind.Io:
                r.Region.Handler!.Read(r.Offset + offset, data);
                break;
            case MemoryRegionKind.Ram:
            case MemoryRegionKind.Rom:
                new ReadOnlySpan<byte>((byte*)(r.HostAddress + (nint)offset), data.Length).CopyTo(data);
                break;
            default:
                data.Fill(0xFF);
                break;
        }
    }

    private unsafe void WriteTo(in FlatRange r, ulong offset, ReadOnlySpan<byte> data)
    {
        switch (r.Region.Kind)
        {
            case MemoryRegionKind.Io:
                r.Region.Handler!.Write(r.Offset + offset, data);
                break;
            case MemoryRegionKind.Ram:
                data.CopyTo(new Span<byte>((byte*)(r.HostAddress + (nint)offset), data.Length));
                break;
            default:
                // Writes to ROM are dropped, as the hardware would.
                Interlocked.Increment(ref _unassignedAccesses);
                break;
        }
    }

    // An access that starts in a hole or crosses a range boundary: split it
    // into the pieces each range (or hole) covers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReadSlow(FlatView view, ulong address, Span<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            ulong a = address + (ulong)done;
            int i = view.IndexOf(a);
            int chunk = ChunkLength(view, i, a, data.Length - done);
            if (i < 0)
            {
                Interlocked.Increment(ref _unassignedAccesses);
                data.Slice(done, chunk).Fill(0xFF);
            }
            else
            {
                ref readonly FlatRange r = ref view[i];
                ReadFrom(in r, a - r.Start, data.Slice(done, chunk));
            }
            done += chunk;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteSlow(FlatView view, ulong address, ReadOnlySpan<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            ulong a = address + (ulong)done;
            int i = view.IndexOf(a);
            int chunk = ChunkLength(view, i, a, data.Length - done);
            if (i < 0)
            {
                Interlocked.Increment(ref _unassignedAccesses);
            }
            else
            {
                ref readonly FlatRange r = ref view[i];
                WriteTo(in r, a - r.Start, data.Slice(done, chunk));
            }
            done += chunk;
        }
    }

    private static int ChunkLength(FlatView view, int index, ulong address, int remaining)
    {
        if (index >= 0)
        {
            ref readonly FlatRange r = ref view[index];
            return (int)Math.Min((ulong)remaining, r.Size - (address - r.Start));
        }
        // In a hole: up to the next range (or the end of the access).
        ulong gap = view.NextStartAbove(address) - address;
        return (int)Math.Min((ulong)remaining, gap == 0 ? 1 : gap);
    }
}
