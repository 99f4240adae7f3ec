using System.Runtime.InteropServices;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Kvm;

/// <summary>
/// The GSI routing table as KVM_SET_GSI_ROUTING takes it (struct
/// kvm_irq_routing: a header with the number of entries, then the entries),
/// kept in one native buffer sized for the most routes KVM allows, for the
/// VM's life. KVM replaces its table whole on every call, but the VMM need
/// not rebuild one: an entry is added at the end, changed in place or removed
/// by moving the last entry into its place, and the same buffer is handed to
/// the ioctl. Nothing is allocated after construction. Not thread-safe: the
/// interrupt controller's lock guards it.
/// </summary>
internal sealed unsafe class KvmGsiRoutingTable : IDisposable
{
    private byte* _buffer;

    public KvmGsiRoutingTable(int capacity)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        _buffer = (byte*)NativeMemory.AllocZeroed((nuint)(sizeof(KvmIrqRoutingHeader) + (long)capacity * sizeof(KvmIrqRoutingEntry)));
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    private KvmIrqRoutingHeader* Header => (KvmIrqRoutingHeader*)_buffer;

    private KvmIrqRoutingEntry* Entries => (KvmIrqRoutingEntry*)(_buffer + sizeof(KvmIrqRoutingHeader));

    /// <summary>The table as KVM_SET_GSI_ROUTING wants it (the header's count is kept up to date).</summary>
    public void* Pointer => _buffer;

    public ref KvmIrqRoutingEntry this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index));
            return ref Entries[index];
        }
    }

    /// <summary>Appends an entry; returns its index.</summary>
    public int Add(in KvmIrqRoutingEntry entry)
    {
        if (Count == Capacity)
            throw new InvalidOperationException($"the routing table is full ({Capacity} entries)");
        Entries[Count] = entry;
        Header->Nr = (uint)++Count;
        return Count - 1;
    }

    /// <summary>
    /// Removes entry <paramref name="index"/> by moving the last entry into its
    /// place; returns the old index of the entry that moved, or -1 when none did.
    /// </summary>
    public int RemoveAt(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index));
        int last = Count - 1;
        Entries[index] = Entries[last];
        Entries[last] = default;
        Header->Nr = (uint)--Count;
        return index == last ? -1 : last;
    }

    public void Dispose()
    {
        NativeMemory.Free(_buffer);
        _buffer = null;
    }
}
