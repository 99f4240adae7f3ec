using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Core.Memory;

/// <summary>
/// Guest RAM as devices see it for DMA: every access is bounds- and
/// overflow-checked against the RAM ranges of the system address space, and
/// hands out spans or refs over the shared host mapping without copying or
/// allocating. Device memory (passthrough BARs) and MMIO are not part of it.
///
/// Guest RAM changes under the device's feet (the guest runs concurrently):
/// read a guest structure once into a local copy, validate it, then use the copy.
///
/// While a migration logs dirty pages, the typed writes here mark what they
/// wrote in <see cref="DirtyLog"/> after writing it. Spans and refs are
/// handed out without marking: a device that writes guest RAM through one
/// calls <see cref="MarkDirty"/> once it has written (after, not before: a
/// page marked before the write could be collected and sent in between, and
/// the write would be lost).
/// </summary>
public sealed unsafe class GuestMemory : IMemoryListener
{
    private volatile Slice[] _slices = Array.Empty<Slice>();
    private readonly List<Slice> _pending = new();
    private bool _updating;

    /// <summary>Attaches to <paramref name="space"/> and follows its RAM ranges.</summary>
    public static GuestMemory Follow(AddressSpace space)
    {
        var memory = new GuestMemory();
        space.AddListener(memory);
        return memory;
    }

    /// <summary>Where writes to guest RAM are logged during a live migration (off otherwise).</summary>
    public DirtyPageLog DirtyLog { get; } = new();

    /// <summary>Records that a device wrote [<paramref name="address"/>, +<paramref name="length"/>) (call after the write).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkDirty(GuestAddress address, ulong length) => DirtyLog.MarkDirty(address.Value, length);

    /// <summary>
    /// Records that a device wrote <paramref name="length"/> bytes at host
    /// address <paramref name="host"/> in guest RAM (a scatter list entry);
    /// addresses outside guest RAM are ignored.
    /// </summary>
    public void MarkDirtyHost(nint host, ulong length)
    {
        if (!DirtyLog.Active || length == 0)
            return;
        foreach (Slice s in _slices)
        {
            ulong offset = (ulong)((byte*)host - s.Host);
            if (offset < s.Size)
            {
                DirtyLog.MarkDirty(s.Start + offset, Math.Min(length, s.Size - offset));
                return;
            }
        }
    }

    /// <summary>Total bytes of guest RAM currently mapped.</summary>
    public ulong TotalSize
    {
        get
        {
            ulong total = 0;
            foreach (Slice s in _slices)
                total += s.Size;
            return total;
        }
    }

    /// <summary>The RAM ranges, in address order: (guest address, size).</summary>
    public IEnumerable<(GuestAddress Start, ulong Size)> Ranges
    {
        get
        {
            foreach (Slice s in _slices)
                yield return (new GuestAddress(s.Start), s.Size);
        }
    }

    /// <summary>
    /// A span over [<paramref name="address"/>, +<paramref name="length"/>) if
    /// it lies entirely within one contiguous piece of guest RAM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetSpan(GuestAddress address, ulong length, out Span<byte> span)
    {
        if (length <= int.MaxValue && TryLocate(address.Value, length, out byte* p))
        {
            span = new Span<byte>(p, (int)length);
            return true;
        }
        span = default;
        return false;
    }

    /// <summary>
    /// Finds which of the <c>unpopulated.Length</c> pages from <paramref name="address"/>
    /// (page aligned, in one piece of RAM) the host has never populated: private
    /// anonymous RAM that nothing has read or written reads as zero, and need not
    /// be read to know it (<see cref="PageMap"/>). Returns false when that cannot
    /// be known (shared or file-backed RAM, no pagemap); the pages must then be read.
    /// A page may be populated right after the answer: only a caller that logs
    /// writes (a live migration's dirty log) or runs no vCPU may rely on it.
    /// </summary>
    public bool TryFindUnpopulated(GuestAddress address, Span<bool> unpopulated)
    {
        ulong length = (ulong)unpopulated.Length << 12;
        if ((address.Value & 0xFFF) != 0 || unpopulated.IsEmpty)
            return false;
        foreach (Slice s in _slices)
        {
            ulong offset = address.Value - s.Start;
            if (offset < s.Size && length <= s.Size - offset)
            {
                var host = (nint)(s.Host + offset);
                return s.PrivateAnonymous && (host & 0xFFF) == 0 && PageMap.TryFindUnpopulated(host, unpopulated);
            }
        }
        return false;
    }

    /// <summary>Like <see cref="TryGetSpan"/>, throwing <see cref="GuestMemoryException"/> when out of RAM.</summary>
    public Span<byte> GetSpan(GuestAddress address, int length)
    {
        Span<byte> span = default;
        if (length < 0 || !TryGetSpan(address, (ulong)length, out span))
            ThrowOutside(address, (ulong)Math.Max(length, 0));
        return span;
    }

    /// <summary>A reference to a <typeparamref name="T"/> in guest RAM, or a null ref when out of RAM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T TryGetRef<T>(GuestAddress address, out bool found) where T : unmanaged
    {
        found = TryLocate(address.Value, (ulong)sizeof(T), out byte* p);
        return ref found ? ref Unsafe.AsRef<T>(p) : ref Unsafe.NullRef<T>();
    }

    public ref T GetRef<T>(GuestAddress address) where T : unmanaged
    {
        ref T r = ref TryGetRef<T>(address, out bool found);
        if (!found)
            ThrowOutside(address, (ulong)sizeof(T));
        return ref r;
    }

    /// <summary>Reads a value (unaligned accesses allowed).</summary>
    public T Read<T>(GuestAddress address) where T : unmanaged
    {
        if (!TryLocate(address.Value, (ulong)sizeof(T), out byte* p))
            ThrowOutside(address, (ulong)sizeof(T));
        return Unsafe.ReadUnaligned<T>(p);
    }

    public void Write<T>(GuestAddress address, T value) where T : unmanaged
    {
        if (!TryLocate(address.Value, (ulong)sizeof(T), out byte* p))
            ThrowOutside(address, (ulong)sizeof(T));
        Unsafe.WriteUnaligned(p, value);
        DirtyLog.MarkDirty(address.Value, (ulong)sizeof(T));
    }

    public bool TryRead<T>(GuestAddress address, out T value) where T : unmanaged
    {
        if (TryLocate(address.Value, (ulong)sizeof(T), out byte* p))
        {
            value = Unsafe.ReadUnaligned<T>(p);
            return true;
        }
        value = default;
        return false;
    }

    public bool TryWrite<T>(GuestAddress address, T value) where T : unmanaged
    {
        if (!TryLocate(address.Value, (ulong)sizeof(T), out byte* p))
            return false;
        Unsafe.WriteUnaligned(p, value);
        DirtyLog.MarkDirty(address.Value, (ulong)sizeof(T));
        return true;
    }

    /// <summary>Copies guest RAM into <paramref name="destination"/>; may cross RAM pieces. False if any byte is outside RAM (nothing is then guaranteed about the destination).</summary>
    public bool TryRead(GuestAddress address, Span<byte> destination)
    {
        ulong a = address.Value;
        while (!destination.IsEmpty)
        {
            if (!TryLocateRun(a, (ulong)destination.Length, out byte* p, out ulong run))
                return false;
            new ReadOnlySpan<byte>(p, (int)run).CopyTo(destination);
            destination = destination.Slice((int)run);
            a += run;
        }
        return true;
    }

    /// <summary>Copies <paramref name="source"/> into guest RAM; may cross RAM pieces. Checks the whole range before writing anything.</summary>
    public bool TryWrite(GuestAddress address, ReadOnlySpan<byte> source)
    {
        if (!IsRam(address, (ulong)source.Length))
            return false;
        ulong a = address.Value;
        ulong length = (ulong)source.Length;
        while (!source.IsEmpty)
        {
            TryLocateRun(a, (ulong)source.Length, out byte* p, out ulong run);
            source.Slice(0, (int)run).CopyTo(new Span<byte>(p, (int)run));
            source = source.Slice((int)run);
            a += run;
        }
        DirtyLog.MarkDirty(address.Value, length);
        return true;
    }

    public void ReadBytes(GuestAddress address, Span<byte> destination)
    {
        if (!TryRead(address, destination))
            ThrowOutside(address, (ulong)destination.Length);
    }

    public void WriteBytes(GuestAddress address, ReadOnlySpan<byte> source)
    {
        if (!TryWrite(address, source))
            ThrowOutside(address, (ulong)source.Length);
    }

    /// <summary>True when every byte of [address, +length) is guest RAM.</summary>
    public bool IsRam(GuestAddress address, ulong length)
    {
        ulong a = address.Value;
        if (length != 0 && a + (length - 1) < a)
            return false;
        while (length > 0)
        {
            if (!TryLocateRun(a, length, out _, out ulong run))
                return false;
            a += run;
            length -= run;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryLocate(ulong address, ulong length, out byte* pointer)
    {
        Slice[] slices = _slices;
        for (int i = 0; i < slices.Length; i++)
        {
            ref readonly Slice s = ref slices[i];
            ulong offset = address - s.Start;
            // Unsigned compare: addresses below the slice wrap to huge offsets.
            if (offset < s.Size && length <= s.Size - offset)
            {
                pointer = s.Host + offset;
                return true;
            }
        }
        pointer = null;
        return false;
    }

    // The longest run starting at address that lies in one piece, up to length.
    private bool TryLocateRun(ulong address, ulong length, out byte* pointer, out ulong run)
    {
        foreach (Slice s in _slices)
        {
            ulong offset = address - s.Start;
            if (offset < s.Size)
            {
                pointer = s.Host + offset;
                run = Math.Min(length, s.Size - offset);
                return true;
            }
        }
        pointer = null;
        run = 0;
        return false;
    }

    [DoesNotReturn]
    private static void ThrowOutside(GuestAddress address, ulong length) => throw new GuestMemoryException(address, length);

    void IMemoryListener.BeginUpdate()
    {
        _pending.Clear();
        _pending.AddRange(_slices);
        _updating = true;
    }

    void IMemoryListener.RangeRemoved(in FlatRange range)
    {
        if (!IsGuestRam(range))
            return;
        ulong start = range.Start;
        _pending.RemoveAll(s => s.Start == start);
        if (!_updating)
            Publish();
    }

    void IMemoryListener.RangeAdded(in FlatRange range)
    {
        if (!IsGuestRam(range))
            return;
        _pending.Add(new Slice(range.Start, range.Size, (byte*)range.HostAddress, IsPrivateAnonymous(range)));
        if (!_updating)
            Publish();
    }

    void IMemoryListener.CommitUpdate()
    {
        _updating = false;
        Publish();
    }

    private static bool IsGuestRam(in FlatRange range) => range.IsRam && !range.Region.IsDeviceMemory;

    // Default guest RAM: a page it never populated reads as zero (PageMap).
    private static bool IsPrivateAnonymous(in FlatRange range) =>
        range.Region.HostMemory is RamBlock { File: null, Options: { Shared: false, HugePageSize: 0 } };

    private void Publish()
    {
        Slice[] next = _pending.ToArray();
        Array.Sort(next, (x, y) => x.Start.CompareTo(y.Start));
        _slices = next;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Slice
    {
        public readonly ulong Start;
        public readonly ulong Size;
        public readonly byte* Host;
        public readonly bool PrivateAnonymous;

        public Slice(ulong start, ulong size, byte* host, bool privateAnonymous)
        {
            Start = start;
            Size = size;
            Host = host;
            PrivateAnonymous = privateAnonymous;
        }
    }
}
