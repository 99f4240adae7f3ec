using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Accel.Kvm;

// Dirty page logging for live migration: while it is on, every RAM slot has
// KVM_MEM_LOG_DIRTY_PAGES, so KVM write-protects its pages and sets a bit in
// the slot's bitmap on a vCPU's first write to each. KVM_GET_DIRTY_LOG hands
// the bitmap over, clears it and write-protects the pages again in one step,
// before it returns (the TLBs flushed): a write after that is in the next
// round's bitmap. That is the harvest and the re-arming at once, so
// RearmAfterHarvest has nothing left to do. ROM slots are read-only, never
// logged. Writes by the VMM itself (device DMA, emulated accesses) reach the
// same DirtyPageLog through GuestMemory.
internal sealed partial class KvmMemorySlots : IDirtyMemoryTracking
{
    private const int PageShift = 12;

    private DirtyPageLog? _dirtyLog;
    private readonly Dictionary<uint, ulong[]> _bitmaps = new();

    public void Start(DirtyPageLog log)
    {
        lock (_byStart)
        {
            _dirtyLog = log;
            foreach ((uint slot, FlatRange range) in _byStart.Values)
            {
                if (!range.IsRom)
                    KvmApi.SetUserMemoryRegion(_vm, Region(slot, range));
            }
        }
    }

    public void Collect(DirtyPageLog log)
    {
        lock (_byStart)
        {
            foreach ((uint slot, FlatRange range) in _byStart.Values)
                CollectSlot(slot, range);
        }
    }

    // KVM_GET_DIRTY_LOG re-protected the pages it reported.
    public void RearmAfterHarvest()
    {
    }

    public void Stop()
    {
        lock (_byStart)
        {
            if (_dirtyLog == null)
                return;
            _dirtyLog = null;
            _bitmaps.Clear();
            foreach ((uint slot, FlatRange range) in _byStart.Values)
            {
                if (!range.IsRom)
                    KvmApi.SetUserMemoryRegion(_vm, Region(slot, range));
            }
        }
    }

    // Called with the lock held.
    private unsafe void CollectSlot(uint slot, in FlatRange range)
    {
        if (_dirtyLog is not { } log || range.IsRom)
            return;
        ulong pages = range.Size >> PageShift;
        if (!_bitmaps.TryGetValue(slot, out ulong[]? bitmap) || (ulong)bitmap.Length != (pages + 63) / 64)
            _bitmaps[slot] = bitmap = new ulong[(pages + 63) / 64];
        fixed (ulong* p = bitmap)
            KvmApi.GetDirtyLog(_vm, slot, p);
        log.Merge(range.Start, bitmap);
    }
}
