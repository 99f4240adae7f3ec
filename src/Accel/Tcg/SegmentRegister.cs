namespace Emu.Accel.Tcg;

/// <summary>
/// A segment register: the visible selector and the hidden descriptor cache
/// (Intel SDM vol. 3A, 3.4.3): base, limit in bytes (granularity applied), and
/// the descriptor's attributes.
/// </summary>
internal struct SegmentRegister
{
    public ushort Selector;
    public ulong Base;

    /// <summary>The last valid offset (for expand-down segments: the offsets above it are valid).</summary>
    public uint Limit;

    /// <summary>Type field: bit 3 code, bit 2 conforming (code) / expand-down (data), bit 1 readable (code) / writable (data), bit 0 accessed.</summary>
    public byte Type;

    /// <summary>S: a code or data segment (not a system descriptor).</summary>
    public bool CodeOrData;

    public byte Dpl;
    public bool Present;
    public bool Available;

    /// <summary>L: 64-bit code.</summary>
    public bool Long;

    /// <summary>D/B: 32-bit default operand size (code) or stack / upper bound (data).</summary>
    public bool DefaultBig;

    public bool Granularity;

    /// <summary>Loaded with a null selector (usable only as SS in 64-bit mode).</summary>
    public bool Unusable;

    public readonly bool IsCode => CodeOrData && (Type & 8) != 0;
    public readonly bool IsConforming => IsCode && (Type & 4) != 0;
    public readonly bool IsExpandDown => CodeOrData && (Type & 8) == 0 && (Type & 4) != 0;
    public readonly bool IsWritable => CodeOrData && (Type & 8) == 0 && (Type & 2) != 0;
    public readonly bool IsReadable => CodeOrData && ((Type & 8) == 0 || (Type & 2) != 0);

    /// <summary>A segment as real mode loads it: base = selector * 16, 64 KiB, read/write.</summary>
    public static SegmentRegister RealMode(ushort selector) => new()
    {
        Selector = selector,
        Base = (ulong)selector << 4,
        Limit = 0xFFFF,
        Type = 3,
        CodeOrData = true,
        Present = true,
    };

    /// <summary>LDTR or TR: a system segment.</summary>
    public static SegmentRegister SystemSegment(ushort selector, ulong @base, uint limit, byte type) => new()
    {
        Selector = selector,
        Base = @base,
        Limit = limit,
        Type = type,
        Present = true,
    };

    /// <summary>Builds the cache from an 8-byte descriptor (and, for 64-bit system descriptors, the base's upper half).</summary>
    public static SegmentRegister FromDescriptor(ushort selector, ulong descriptor, uint baseHigh = 0)
    {
        uint limit = (uint)(descriptor & 0xFFFF) | (uint)((descriptor >> 32) & 0xF_0000);
        bool granularity = (descriptor & (1UL << 55)) != 0;
        if (granularity)
            limit = (limit << 12) | 0xFFF;
        ulong @base = ((descriptor >> 16) & 0xFF_FFFF) | (((descriptor >> 56) & 0xFF) << 24) | ((ulong)baseHigh << 32);
        return new SegmentRegister
        {
            Selector = selector,
            Base = @base,
            Limit = limit,
            Type = (byte)((descriptor >> 40) & 0xF),
            CodeOrData = (descriptor & (1UL << 44)) != 0,
            Dpl = (byte)((descriptor >> 45) & 3),
            Present = (descriptor & (1UL << 47)) != 0,
            Available = (descriptor & (1UL << 52)) != 0,
            Long = (descriptor & (1UL << 53)) != 0,
            DefaultBig = (descriptor & (1UL << 54)) != 0,
            Granularity = granularity,
        };
    }
}
