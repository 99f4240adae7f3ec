using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// One decoded instruction of a block: Iced's decoding, the handler that
/// executes it, and what its memory operand needs, worked out once when the
/// block is decoded so that executing it again costs no decoding.
/// </summary>
internal unsafe struct DecodedOp
{
    public Instruction I;

    public delegate*<X86Cpu, ref DecodedOp, void> Handler;

    /// <summary>The instruction's own handler when <see cref="Handler"/> wraps it (<see cref="CodeWriteCheck"/>).</summary>
    public delegate*<X86Cpu, ref DecodedOp, void> Inner;

    /// <summary>The address after the instruction, wrapped to the code size.</summary>
    public ulong NextIp;

    /// <summary>A near branch's target (Iced's, already wrapped to the operand size).</summary>
    public ulong Target;

    /// <summary>The condition of Jcc, SETcc, CMOVcc, LOOPcc.</summary>
    public ConditionCode Condition;

    /// <summary>Effective addresses wrap at the address size: 0xFFFF, 0xFFFFFFFF or all ones.</summary>
    public ulong AddressMask;

    /// <summary>Displacement (or, RIP-relative, the absolute address Iced computed).</summary>
    public ulong Displacement;

    /// <summary>General register numbers of the base and index (-1: none), and the index scale as a shift.</summary>
    public sbyte Base, Index;
    public byte ScaleShift;

    /// <summary>The segment of the memory operand.</summary>
    public SegmentIndex Segment;

    /// <summary>Size in bytes of the memory operand (0 when there is none).</summary>
    public byte MemorySize;

    /// <summary>Operand size in bytes: of operand 0, or of the memory operand (the size most handlers work at).</summary>
    public byte OperandSize;

    /// <summary>Address size in bytes (2, 4 or 8): for string instructions, LOOP and JCXZ the counter size too.</summary>
    public byte AddressSize;
}
