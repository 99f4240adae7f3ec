using System.Buffers.Binary;
using Emu.Core.Cpu;

namespace Emu.Core.Boot;

/// <summary>
/// Encodes a segment register's hidden state as the GDT descriptor that would
/// load it (Intel SDM vol. 3A, 3.4.5 "Segment Descriptors"), so the table in
/// guest memory and the state set directly in the vCPU agree when the guest
/// reloads a selector.
/// </summary>
public static class SegmentDescriptor
{
    /// <summary>The 8-byte descriptor of a code or data segment (or the low half of a system descriptor).</summary>
    public static ulong Encode(in X86Segment s)
    {
        // With G set the 20-bit limit field counts 4 KiB pages.
        ulong limit = s.Granularity ? s.Limit >> 12 : s.Limit;
        if (limit > 0xF_FFFF)
            throw new ArgumentException($"segment limit 0x{s.Limit:x} does not fit a descriptor without granularity");
        ulong d = limit & 0xFFFF;
        d |= (s.Base & 0xFF_FFFF) << 16;
        d |= (ulong)(s.Type & 0xF) << 40;
        d |= (s.CodeOrData ? 1UL : 0) << 44;
        d |= (ulong)(s.Dpl & 3) << 45;
        d |= (s.Present ? 1UL : 0) << 47;
        d |= ((limit >> 16) & 0xF) << 48;
        d |= (s.Available ? 1UL : 0) << 52;
        d |= (s.Long ? 1UL : 0) << 53;
        d |= (s.DefaultBig ? 1UL : 0) << 54;
        d |= (s.Granularity ? 1UL : 0) << 55;
        d |= ((s.Base >> 24) & 0xFF) << 56;
        return d;
    }

    /// <summary>Writes a descriptor at its selector's slot; system segments in long mode take 16 bytes (the upper half holds base bits 63:32).</summary>
    public static void Write(Span<byte> gdt, in X86Segment s, bool longModeSystem = false)
    {
        int offset = s.Selector & ~7;
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[offset..], Encode(s));
        if (longModeSystem)
            BinaryPrimitives.WriteUInt64LittleEndian(gdt[(offset + 8)..], s.Base >> 32);
    }
}
