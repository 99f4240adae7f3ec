using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>How <see cref="InstructionFactory"/> fills an instruction's operands.</summary>
internal sealed class FillOptions
{
    /// <summary>How often an r/m operand is memory rather than a register.</summary>
    public double MemoryChance { get; init; } = 0.4;

    /// <summary>How often a memory operand lies partly or wholly outside the data region (a #PF).</summary>
    public double FaultChance { get; init; } = 0.03;

    /// <summary>How often a memory operand crosses the page boundary in the middle of the data region.</summary>
    public double PageCrossChance { get; init; } = 0.08;

    /// <summary>How often a LOCK prefix goes on an instruction that may have one (on a register destination: #UD).</summary>
    public double LockChance { get; init; } = 0.25;

    /// <summary>Registers (bit n: register n) the instruction uses implicitly: not used to address memory.</summary>
    public int Implicit { get; init; }

    /// <summary>The memory operand's address is only computed (LEA): any register values, no access.</summary>
    public bool AddressOnly { get; init; }

    /// <summary>Where the memory operand should be, when the generator wants it somewhere in particular (an offset in the data region).</summary>
    public Func<int, int>? MemoryOffset { get; init; }

    /// <summary>The value an immediate operand gets (its operand kind), when the generator has its own idea.</summary>
    public Func<OpCodeOperandKind, ulong>? Immediate { get; init; }

    /// <summary>A branch's target (linear), when the generator has its own idea.</summary>
    public Func<ulong>? BranchTarget { get; init; }

    public static FillOptions Default { get; } = new();
}
