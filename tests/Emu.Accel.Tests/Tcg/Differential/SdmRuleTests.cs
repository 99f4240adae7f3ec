using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Rules of the SDM the differential campaigns once found broken, each as one
/// small case run on the host and on the software CPU, with the rule it checks:
/// the software CPU must agree with the host and with the rule.
/// </summary>
public sealed class SdmRuleTests : IClassFixture<NativeOracle>
{
    private readonly NativeOracle _oracle;

    public SdmRuleTests(NativeOracle oracle) => _oracle = oracle;

    /// <summary>SDM PUSH, "64-Bit Mode Exceptions": "#SS(0) If a memory address referencing the SS segment is in a non-canonical form."</summary>
    [Fact]
    public void PushWithANonCanonicalStackPointerRaisesStackFault()
    {
        var s = new CaseState(new OperandValues(10));
        s.Set(4, 0x8000_0000_0010);
        CaseOutcome soft = RunBoth(s.Build(InstructionFactory.Assemble(Instruction.Create(Code.Push_r64, Register.RAX))));
        Assert.Equal(12, soft.Vector);
        Assert.Equal(0UL, soft.ErrorCode);
    }

    /// <summary>SDM vol. 3A, 3.3.7.1: canonical form is checked for the whole access, before paging; a push whose 8 bytes run from the top of the lower half into non-canonical addresses is a #SS(0), not a #PF on the lower page.</summary>
    [Fact]
    public void PushAcrossTheCanonicalBoundaryRaisesStackFault()
    {
        var s = new CaseState(new OperandValues(11));
        s.Set(4, 0x8000_0000_0004);
        CaseOutcome soft = RunBoth(s.Build(InstructionFactory.Assemble(Instruction.Create(Code.Push_r64, Register.RAX))));
        Assert.Equal(12, soft.Vector);
    }

    /// <summary>SDM vol. 3A, 4.7: CR2 is the linear address that faulted: for an operand that runs into a not-present page, that page's first byte.</summary>
    [Fact]
    public void ReadModifyWriteAcrossIntoAMissingPageReportsThePageStart()
    {
        var s = new CaseState(new OperandValues(12));
        var target = new MemoryOperand(Register.None, Register.None, 1, (long)DifferentialLayout.DataBase + DifferentialLayout.DataSize - 2, 8);
        CaseOutcome soft = RunBoth(s.Build(InstructionFactory.Assemble(Instruction.Create(Code.Add_rm32_r32, target, Register.EAX))));
        Assert.Equal(14, soft.Vector);
        Assert.Equal(DifferentialLayout.DataBase + DifferentialLayout.DataSize, soft.FaultAddress);
    }

    /// <summary>
    /// SDM vol. 3A, 11.6: a store to an instruction that has not run yet is seen when it runs, even when it
    /// is the very next one (the processor discards what it prefetched). The software CPU decodes a block
    /// before running it and runs the instructions it decoded: a store into its own block is not seen.
    /// </summary>
    [Fact]
    public void StoreRewritingTheNextInstructionInTheSameBlockRunsTheNewCode()
    {
        // mov byte [rip + 1], 0x22 (the immediate of the next instruction); mov al, 0x11
        byte[] code = [0xC6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x22, 0xB0, 0x11];
        CaseOutcome soft = RunBoth(new CaseState(new OperandValues(13)).Build(code));
        Assert.Equal(0x22UL, soft.Registers[0] & 0xFF);
    }

    /// <summary>SDM vol. 3A, "Instruction-Breakpoint Exception Condition": "For any fault-class exception except a debug exception generated in response to an instruction breakpoint, the value pushed for RF is 1."</summary>
    [Fact]
    public void FaultFramesHaveTheResumeFlagSet()
    {
        CaseOutcome soft = RunBoth(new CaseState(new OperandValues(14)).Build([0x0F, 0x0B])); // UD2
        Assert.Equal(6, soft.Vector);
        Assert.NotEqual(0UL, soft.Rflags & CaseComparer.Rf);
    }

    private CaseOutcome RunBoth(TestCase c)
    {
        CaseOutcome host = _oracle.Run([c])[0];
        using var machine = new SoftCpuMachine();
        CaseOutcome soft = machine.Run(c);
        Assert.True(CaseComparer.Compare(c, host, soft) is null, CaseComparer.Compare(c, host, soft));
        return soft;
    }
}
