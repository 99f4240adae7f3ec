using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Accel.Tcg;

// Linear memory accesses through a software TLB (one for CPL 3, one for the
// supervisor levels, so the U/S check is done once per fill). A hit on RAM is
// one compare and a host load or store; everything else (misses, page
// crossings, devices, ROM writes, the APIC page) takes the slow path.
internal sealed unsafe partial class X86Cpu
{
    private const int TlbBits = 10, TlbSize = 1 << TlbBits;
    public const ulong PageMask = ~0xFFFUL;

    private readonly TlbEntry[] _tlbUser = NewTlb();
    private readonly TlbEntry[] _tlbSupervisor = NewTlb();
    private TlbEntry[] _tlb = null!;
    private int _seenGeneration;

    private static TlbEntry[] NewTlb()
    {
        // Pinned: generated code reaches the entries through their address (JitTlb).
        var tlb = GC.AllocateArray<TlbEntry>(TlbSize, pinned: true);
        Array.Fill(tlb, TlbEntry.Empty);
        return tlb;
    }

    private void SelectTlb() => _tlb = Cpl == 3 ? _tlbUser : _tlbSupervisor;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TlbEntry EntryFor(TlbEntry[] tlb, ulong linear) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(tlb), (int)(linear >> 12) & (TlbSize - 1));

    /// <summary>Drops every translation (or every non-global one: a CR3 write with CR4.PGE), and the decoded-block lookup that depends on them.</summary>
    public void FlushTlb(bool includingGlobal)
    {
        FlushTlbArray(_tlbUser, includingGlobal);
        FlushTlbArray(_tlbSupervisor, includingGlobal);
        _jumpCache.Clear();
        _linkEpoch++;
        JitTranslationsChanged();
    }

    private static void FlushTlbArray(TlbEntry[] tlb, bool includingGlobal)
    {
        for (int i = 0; i < tlb.Length; i++)
        {
            if (includingGlobal || !tlb[i].Global)
                tlb[i] = TlbEntry.Empty;
        }
    }

    /// <summary>INVLPG: the page's translation, global or not.</summary>
    public void FlushTlbPage(ulong linear)
    {
        FlushTlbEntry(_tlbUser, linear);
        FlushTlbEntry(_tlbSupervisor, linear);
        _jumpCache.Clear();
        _linkEpoch++;
        JitTranslationsChanged();
    }

    private static void FlushTlbEntry(TlbEntry[] tlb, ulong linear)
    {
        ulong page = linear & PageMask;
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if ((e.ReadTag & PageMask) == page || (e.WriteTag & PageMask) == page || (e.ExecTag & PageMask) == page)
            e = TlbEntry.Empty;
    }

    /// <summary>Refills the TLBs after the machine's memory map changed (a BAR moved, a device came or went).</summary>
    private void CheckMemoryMapGeneration()
    {
        int generation = Platform.Generation;
        if (generation != _seenGeneration)
        {
            _seenGeneration = generation;
            FlushTlb(includingGlobal: true);
            _blocks.Clear();
            _jit?.Flush(); // compiled code holds host addresses of guest memory
        }
    }

    // --- Reads and writes at the current privilege level ---

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(ulong linear, int size) => Read(linear, size, _tlb, Cpl == 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ulong linear, int size, ulong value) => Write(linear, size, value, _tlb, Cpl == 3);

    public byte Read8(ulong linear) => (byte)Read(linear, 1);
    public ushort Read16(ulong linear) => (ushort)Read(linear, 2);
    public uint Read32(ulong linear) => (uint)Read(linear, 4);
    public ulong Read64(ulong linear) => Read(linear, 8);
    public void Write8(ulong linear, byte value) => Write(linear, 1, value);
    public void Write16(ulong linear, ushort value) => Write(linear, 2, value);
    public void Write32(ulong linear, uint value) => Write(linear, 4, value);
    public void Write64(ulong linear, ulong value) => Write(linear, 8, value);

    /// <summary>Implicit supervisor accesses (descriptor tables, the TSS, the IDT), whatever the CPL.</summary>
    public ulong ReadSystem(ulong linear, int size) => Read(linear, size, _tlbSupervisor, user: false);

    public void WriteSystem(ulong linear, int size, ulong value) => Write(linear, size, value, _tlbSupervisor, user: false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Read(ulong linear, int size, TlbEntry[] tlb, bool user)
    {
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if (e.ReadTag == (linear & PageMask) && (linear & 0xFFF) <= (ulong)(0x1000 - size))
        {
            byte* p = (byte*)(e.Addend + (nint)linear);
            return size switch
            {
                1 => *p,
                2 => *(ushort*)p,
                4 => *(uint*)p,
                _ => *(ulong*)p,
            };
        }
        return ReadSlow(linear, size, tlb, user);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Write(ulong linear, int size, ulong value, TlbEntry[] tlb, bool user)
    {
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if (e.WriteTag == (linear & PageMask) && (linear & 0xFFF) <= (ulong)(0x1000 - size))
        {
            byte* p = (byte*)(e.Addend + (nint)linear);
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: *(ushort*)p = (ushort)value; break;
                case 4: *(uint*)p = (uint)value; break;
                default: *(ulong*)p = value; break;
            }
            return;
        }
        WriteSlow(linear, size, value, tlb, user);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadSlow(ulong linear, int size, TlbEntry[] tlb, bool user)
    {
        if ((linear & 0xFFF) + (ulong)size > 0x1000)
        {
            // Split at the page boundary: each part translated (and faulting) on its own.
            int first = (int)(0x1000 - (linear & 0xFFF));
            ulong low = ReadPieces(linear, first, tlb, user);
            ulong high = ReadPieces(linear + (ulong)first, size - first, tlb, user);
            return low | (high << (8 * first));
        }
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if (e.ReadTag != ((linear & PageMask) | TlbEntry.Io))
        {
            e = ref Fill(linear, MemoryAccess.Read, tlb, user);
            if (e.ReadTag == (linear & PageMask))
                return Read(linear, size, tlb, user);
        }
        return PhysicalRead(e.PhysicalPage | (linear & 0xFFF), size);
    }

    private ulong ReadPieces(ulong linear, int size, TlbEntry[] tlb, bool user)
    {
        ulong value = 0;
        for (int i = 0; i < size; i++)
            value |= Read(linear + (ulong)i, 1, tlb, user) << (8 * i);
        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteSlow(ulong linear, int size, ulong value, TlbEntry[] tlb, bool user)
    {
        if ((linear & 0xFFF) + (ulong)size > 0x1000)
        {
            // Both pages are translated for writing before either is written, so a fault leaves memory unchanged.
            int first = (int)(0x1000 - (linear & 0xFFF));
            ProbeWrite(linear, tlb, user);
            ProbeWrite(linear + (ulong)first, tlb, user);
            for (int i = 0; i < size; i++)
                Write(linear + (ulong)i, 1, value >> (8 * i), tlb, user);
            return;
        }
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if (e.WriteTag != ((linear & PageMask) | TlbEntry.Io))
        {
            e = ref Fill(linear, MemoryAccess.Write, tlb, user);
            if (e.WriteTag == (linear & PageMask))
            {
                Write(linear, size, value, tlb, user);
                return;
            }
        }
        PhysicalWrite(e.PhysicalPage | (linear & 0xFFF), size, value);
    }

    /// <summary>
    /// The host address of a linear address in RAM (for reading; for writing,
    /// RAM that may be written), translated and permission-checked as an access
    /// would be (it faults the same way); null when the page is not plain RAM.
    /// </summary>
    public byte* HostPointer(ulong linear, MemoryAccess access)
    {
        ref TlbEntry e = ref EntryFor(_tlb, linear);
        ulong page = linear & PageMask;
        ulong tag = access == MemoryAccess.Write ? e.WriteTag : e.ReadTag;
        if (tag != page)
        {
            e = ref Fill(linear, access, _tlb, Cpl == 3);
            tag = access == MemoryAccess.Write ? e.WriteTag : e.ReadTag;
            if (tag != page)
            {
                if (tag == TlbEntry.Invalid)
                    Fill(linear, access, _tlb, Cpl == 3); // faults
                return null;
            }
        }
        return (byte*)(e.Addend + (nint)linear);
    }

    /// <summary>Makes sure a write to the page would not fault (for instructions that must not write partially).</summary>
    public void ProbeWrite(ulong linear) => ProbeWrite(linear, _tlb, Cpl == 3);

    private void ProbeWrite(ulong linear, TlbEntry[] tlb, bool user)
    {
        ref TlbEntry e = ref EntryFor(tlb, linear);
        if ((e.WriteTag & PageMask) != (linear & PageMask) || e.WriteTag == TlbEntry.Invalid)
            Fill(linear, MemoryAccess.Write, tlb, user);
    }

    /// <summary>Walks the page tables for an access and caches the result.</summary>
    private ref TlbEntry Fill(ulong linear, MemoryAccess access, TlbEntry[] tlb, bool user)
    {
        Translation t = Translate(linear, access, user);
        ulong page = linear & PageMask;
        byte* host = null;
        PageKind kind = IsApicPage(t.PhysicalPage) ? PageKind.Io : Platform.Classify(t.PhysicalPage, out host);
        ref TlbEntry e = ref EntryFor(tlb, linear);
        e.PhysicalPage = t.PhysicalPage;
        e.Global = t.Global;
        e.Addend = (nint)host - (nint)page;
        ulong fast = kind == PageKind.Io ? page | TlbEntry.Io : page;
        e.ReadTag = fast;
        bool mayWrite = !Paging || t.Writable || (!user && (Cr0 & Cr0Wp) == 0);
        // A write must walk once to set the dirty bit; ROM takes writes through the slow path (dropped).
        // While a migration logs dirty pages, RAM is made writable only by a
        // write, which marks the page (TcgPlatform.DirtyTracking).
        bool logging = kind == PageKind.Ram && Platform.DirtyLog != null;
        e.WriteTag = mayWrite && (access == MemoryAccess.Write || (t.Dirty && !logging))
            ? (kind == PageKind.Ram ? page : page | TlbEntry.Io)
            : TlbEntry.Invalid;
        if (logging && e.WriteTag == page)
            MarkWritten(t.PhysicalPage, 0x1000);
        e.ExecTag = t.Executable ? fast : TlbEntry.Invalid;
        return ref e;
    }

    // --- Physical accesses that are not plain RAM ---

    private bool IsApicPage(ulong physicalPage)
    {
        if (Apic is not { } apic)
            return false;
        ulong msr = apic.BaseMsr;
        // The xAPIC page answers only while the APIC is enabled and not in x2APIC mode.
        return (msr & 0xC00) == 0x800 && (msr & PhysicalAddressMask) == physicalPage;
    }

    public ulong PhysicalRead(ulong physical, int size)
    {
        if (IsApicPage(physical & PageMask))
            return ApicRead(physical, size);
        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        Platform.Memory!.Read(physical, buffer[..size]);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    public void PhysicalWrite(ulong physical, int size, ulong value)
    {
        if (IsApicPage(physical & PageMask))
        {
            ApicWrite(physical, size, value);
            return;
        }
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        Platform.Memory!.Write(physical, buffer[..size]);
        MarkWritten(physical, (ulong)size);
    }

    // The xAPIC registers are 32 bits wide at 16-byte aligned offsets; narrower
    // or misaligned accesses see the bytes of the register they fall in.
    private ulong ApicRead(ulong physical, int size)
    {
        uint offset = (uint)(physical & 0xFF0);
        ulong register = Apic!.ReadRegister(offset);
        int shift = (int)(physical & 0xF) * 8;
        return shift >= 32 ? 0 : (register >> shift) & SizeMask(Math.Min(size, 4));
    }

    private void ApicWrite(ulong physical, int size, ulong value)
    {
        if ((physical & 0xF) == 0 && size >= 4)
        {
            Apic!.WriteRegister((uint)(physical & 0xFF0), (uint)value);
            RequestAttention(); // an EOI or a TPR write may make another interrupt deliverable
        }
    }

    // --- Segmented addresses (the segment part of address translation, SDM 3.4 and 5.3) ---

    /// <summary>
    /// The linear address of <paramref name="offset"/> in a segment for an
    /// access of <paramref name="size"/> bytes, with the segment checks of the
    /// current mode: none but the FS/GS base in 64-bit mode, limits and
    /// rights in the others (#GP(0), or #SS(0) for the stack segment).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Linear(SegmentIndex segment, ulong offset, int size, MemoryAccess access)
    {
        if (CodeBits == 64)
        {
            ulong linear = segment >= SegmentIndex.Fs ? Segments[(int)segment].Base + offset : offset;
            // Both ends must be canonical (bits 63:47 equal) before anything is translated:
            // #SS(0) for a stack reference, #GP(0) otherwise (SDM vol. 1, 3.3.7.1).
            if (!IsCanonical(linear) || !IsCanonical(linear + (ulong)size - 1))
                throw Fault(segment == SegmentIndex.Ss ? ExceptionVector.StackFault : ExceptionVector.GeneralProtection, 0);
            return linear;
        }
        return LegacyLinear(segment, offset, size, access);
    }

    private ulong LegacyLinear(SegmentIndex segment, ulong offset, int size, MemoryAccess access)
    {
        ref SegmentRegister s = ref Segments[(int)segment];
        int vector = segment == SegmentIndex.Ss ? ExceptionVector.StackFault : ExceptionVector.GeneralProtection;
        if (ProtectedMode && !Virtual8086)
        {
            if (s.Unusable || !s.Present)
                throw Fault(vector, 0);
            if (access == MemoryAccess.Write && !s.IsWritable)
                throw Fault(vector, 0);
            if (access == MemoryAccess.Read && !s.IsReadable)
                throw Fault(vector, 0);
        }
        ulong last = offset + (ulong)size - 1;
        if (s.IsExpandDown)
        {
            ulong upper = s.DefaultBig ? 0xFFFF_FFFFUL : 0xFFFFUL;
            if (offset <= s.Limit || last > upper)
                throw Fault(vector, 0);
        }
        else if (last > s.Limit)
        {
            throw Fault(vector, 0);
        }
        return (s.Base + offset) & 0xFFFF_FFFF;
    }

    /// <summary>Whether [offset, offset + length) lies within a segment's limit (for the bulk string paths outside 64-bit mode).</summary>
    public bool FitsSegment(SegmentIndex segment, ulong offset, int length)
    {
        ref SegmentRegister s = ref Segments[(int)segment];
        return !s.IsExpandDown && !s.Unusable && offset + (ulong)length - 1 <= s.Limit;
    }
}
