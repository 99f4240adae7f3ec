using System.Runtime.CompilerServices;
using Emu.Core.Memory;

namespace Emu.Devices.Virtio;

// While a migration logs dirty pages, what the device wrote into guest RAM
// through its host pointers is marked after the write (GuestMemory's rule):
// the used ring on every update, and the device-writable buffers of a chain
// when it is returned. With logging off each is one volatile check.
public sealed unsafe partial class SplitQueue
{
    // The used ring: flags, idx, the elements and avail_event (2.7.8).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkUsedRingDirty()
    {
        if (_memory.DirtyLog.Active && _used != null)
            _memory.MarkDirty(new GuestAddress(_usedAddress), 6UL + 8UL * (ulong)(_mask + 1));
    }

    // The writable buffers of chain `head`, found by walking its descriptors
    // again (the chain object may hold another request by now). The guest may
    // have changed the descriptors meanwhile: the walk is bounded as in Walk,
    // and what it marks wrongly only costs the guest a stale page of its own.
    private void MarkChainDirty(ushort head)
    {
        int size = _mask + 1;
        if (head >= size)
            return;
        VirtqDescriptor* table = _descriptors;
        int tableSize = size;
        bool inIndirect = false;
        ushort index = head;
        for (int visited = 0; visited < size; visited++)
        {
            VirtqDescriptor d = table[index];
            if ((d.Flags & VirtqDescriptor.FlagIndirect) != 0)
            {
                if (inIndirect || d.Length == 0 || (d.Length & 15) != 0 || d.Length / 16 > (uint)size
                    || !_memory.TryGetSpan(new GuestAddress(d.Address), d.Length, out Span<byte> indirect))
                    return;
                table = (VirtqDescriptor*)Unsafe.AsPointer(ref indirect[0]);
                tableSize = (int)(d.Length / 16);
                inIndirect = true;
                index = 0;
                continue;
            }
            if ((d.Flags & VirtqDescriptor.FlagWrite) != 0)
                _memory.MarkDirty(new GuestAddress(d.Address), d.Length);
            if ((d.Flags & VirtqDescriptor.FlagNext) == 0 || d.Next >= tableSize)
                return;
            index = d.Next;
        }
    }
}
