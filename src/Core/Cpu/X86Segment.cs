namespace Emu.Core.Cpu;

/// <summary>A segment register with its hidden descriptor cache.</summary>
public struct X86Segment
{
    public ulong Base;
    public uint Limit;
    public ushort Selector;

    /// <summary>Descriptor type field (4 bits: e.g. 0xB = execute/read accessed code, 0x3 = read/write accessed data).</summary>
    public byte Type;

    public bool Present;

    /// <summary>Descriptor privilege level.</summary>
    public byte Dpl;

    /// <summary>D/B bit: 32-bit default operand size.</summary>
    public bool DefaultBig;

    /// <summary>S bit: code/data (true) or system segment.</summary>
    public bool CodeOrData;

    /// <summary>L bit: 64-bit code segment.</summary>
    public bool Long;

    public bool Granularity;

    public bool Available;

    public bool Unusable;
}
