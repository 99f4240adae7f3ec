using Emu.Accel.Kvm.Interop;
using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// Keeps KVM's memory slots equal to the RAM and ROM ranges of the flat view.
/// ROM becomes a read-only slot (writes exit and are dropped). Ranges that are
/// not page-aligned cannot be slots; they stay unmapped and every access to
/// them is served by the VMM from the same host memory.
/// </summary>
internal sealed partial class KvmMemorySlots : IMemoryListener
{
    private const ulong PageMask = 0xFFF;

    private readonly FileDescriptor _vm;
    private readonly bool _readOnlySupported;
    private readonly Dictionary<ulong, (uint Slot, FlatRange Range)> _byStart = new();
    private readonly SortedSet<uint> _free = new();
    private uint _next;

    public KvmMemorySlots(FileDescriptor vm, bool readOnlySupported)
    {
        _vm = vm;
        _readOnlySupported = readOnlySupported;
    }

    public int Count
    {
        get
        {
            lock (_byStart)
                return _byStart.Count;
        }
    }

    public void RangeAdded(in FlatRange range)
    {
        if (!range.IsMappable || !IsPageAligned(range))
            return;
        if (range.IsRom && !_readOnlySupported)
            return; // without read-only slots, ROM is served by exits so the guest cannot change it
        lock (_byStart)
        {
            uint slot = Allocate();
            try
            {
                KvmApi.SetUserMemoryRegion(_vm, Region(slot, range));
            }
            catch
            {
                _free.Add(slot);
                throw;
            }
            _byStart[range.Start] = (slot, range);
        }
    }

    public void RangeRemoved(in FlatRange range)
    {
        lock (_byStart)
        {
            if (!_byStart.TryGetValue(range.Start, out var entry) || entry.Range != range)
                return;
            // A slot that goes away while its writes are logged: what KVM logged goes first.
            CollectSlot(entry.Slot, range);
            var region = new KvmUserspaceMemoryRegion { Slot = entry.Slot, GuestPhysAddr = range.Start, MemorySize = 0 };
            KvmApi.SetUserMemoryRegion(_vm, region);
            _byStart.Remove(range.Start);
            _free.Add(entry.Slot);
        }
    }

    private KvmUserspaceMemoryRegion Region(uint slot, in FlatRange range) => new()
    {
        Slot = slot,
        Flags = range.IsRom ? KvmUserspaceMemoryRegion.ReadOnly : (_dirtyLog != null ? KvmUserspaceMemoryRegion.LogDirtyPages : 0),
        GuestPhysAddr = range.Start,
        MemorySize = range.Size,
        UserspaceAddr = (ulong)range.HostAddress,
    };

    private uint Allocate()
    {
        if (_free.Count > 0)
        {
            uint slot = _free.Min;
            _free.Remove(slot);
            return slot;
        }
        return _next++;
    }

    private static bool IsPageAligned(in FlatRange range) =>
        (range.Start & PageMask) == 0 && (range.Size & PageMask) == 0 && ((ulong)range.HostAddress & PageMask) == 0;
}
