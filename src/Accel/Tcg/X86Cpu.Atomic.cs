using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

// LOCK-prefixed read-modify-writes (and XCHG with memory, always locked) are
// atomic on guest RAM across vCPU threads: a host compare-and-swap on the
// guest's memory. An operand that is not naturally aligned, or not in RAM,
// falls back to one machine-wide lock, which is atomic with respect to the
// other locked instructions.
internal sealed unsafe partial class X86Cpu
{
    /// <summary>Host address of a RAM operand for a locked access, translated for writing (faults as a write would); null for the fallback path.</summary>
    public byte* AtomicPointer(ulong linear, int size)
    {
        if ((linear & 0xFFF) + (ulong)size > 0x1000 || (linear & (ulong)(size - 1)) != 0)
        {
            // A fault on the second page reports the first byte accessed in it (CR2).
            ProbeWrite(linear);
            ProbeWrite((linear + (ulong)size - 1) & PageMask);
            return null;
        }
        ref TlbEntry e = ref EntryFor(_tlb, linear);
        if (e.WriteTag != (linear & PageMask))
        {
            e = ref Fill(linear, MemoryAccess.Write, _tlb, Cpl == 3);
            if (e.WriteTag != (linear & PageMask))
                return null;
        }
        return (byte*)(e.Addend + (nint)linear);
    }

    /// <summary>Compare-and-swap of a naturally aligned 1, 2, 4 or 8-byte operand; returns the value seen.</summary>
    public static ulong CompareExchange(byte* p, int size, ulong expected, ulong value)
    {
        switch (size)
        {
            case 8:
                return (ulong)Interlocked.CompareExchange(ref *(long*)p, (long)value, (long)expected);
            case 4:
                return (uint)Interlocked.CompareExchange(ref *(int*)p, (int)value, (int)expected);
            default:
            {
                // Bytes and words: swap the aligned dword that holds them.
                uint* word = (uint*)((nuint)p & ~(nuint)3);
                int shift = (int)((nuint)p & 3) * 8;
                uint mask = (uint)SizeMask(size) << shift;
                while (true)
                {
                    uint current = Volatile.Read(ref *word);
                    ulong seen = (current & mask) >> shift;
                    if (seen != expected)
                        return seen;
                    uint desired = (current & ~mask) | (((uint)value << shift) & mask);
                    if ((uint)Interlocked.CompareExchange(ref *(int*)word, (int)desired, (int)current) == current)
                        return expected;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LoadVolatile(byte* p, int size) => size switch
    {
        1 => Volatile.Read(ref *p),
        2 => Volatile.Read(ref *(ushort*)p),
        4 => Volatile.Read(ref *(uint*)p),
        _ => Volatile.Read(ref *(ulong*)p),
    };

    /// <summary>Reads a memory operand that will be written back: translated for writing first, so a fault comes before anything changes.</summary>
    public ulong ReadForUpdate(ulong linear, int size)
    {
        ref TlbEntry e = ref EntryFor(_tlb, linear);
        if (e.WriteTag != (linear & PageMask) || (linear & 0xFFF) > (ulong)(0x1000 - size))
        {
            ProbeWrite(linear);
            if ((linear & 0xFFF) + (ulong)size > 0x1000)
                ProbeWrite((linear + (ulong)size - 1) & PageMask);
        }
        return Read(linear, size);
    }
}
