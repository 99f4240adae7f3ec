using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// The divergences the differential tests found whose fixes belong in files
/// other work is changing (<see cref="KnownIssues"/>), each as a small case
/// run on the host and the software CPU, with what the SDM requires. They are
/// skipped by default (<see cref="KnownBugFactAttribute"/>) and fail when run
/// until the bug is fixed; then the attribute becomes [Fact] and the
/// <see cref="KnownIssue"/> goes.
/// </summary>
public sealed class KnownBugTests : IClassFixture<NativeOracle>
{
    private readonly NativeOracle _oracle;

    public KnownBugTests(NativeOracle oracle) => _oracle = oracle;

    /// <summary>SDM PUSH, "64-Bit Mode Exceptions": "#SS(0) If a memory address referencing the SS segment is in a non-canonical form."</summary>
    [KnownBugFact("X86Cpu.Memory.cs (Linear) / X86Cpu.Paging.cs (Translate)", "a non-canonical stack address raises #GP(0), not #SS(0)")]
    public void PushWithANonCanonicalStackPointerRaisesStackFault()
    {
        var s = new CaseState(new OperandValues(10));
        s.Set(4, 0x8000_0000_0010);
        CaseOutcome soft = RunBoth(s.Build(InstructionFactory.Assemble(Instruction.Create(Code.Push_r64, Register.RAX))));
        Assert.Equal(12, soft.Vector);
        Assert.Equal(0UL, soft.ErrorCode);
    }

    /// <summary>SDM vol. 3A, 3.3.7.1: canonical form is checked for the whole access, before paging; a push whose 8 bytes run from the top of the lower half into non-canonical addresses is a #SS(0), not a #PF on the lower page.</summary>
    [KnownBugFact("X86Cpu.Memory.cs (Linear) / X86Cpu.Paging.cs (Translate)", "an access crossing into non-canonical addresses is walked page by page (#PF) instead of raising #SS/#GP")]
    public void PushAcrossTheCanonicalBoundaryRaisesStackFault()
    {
        var s = new CaseState(new OperandValues(11));
        s.Set(4, 0x8000_0000_0004);
        CaseOutcome soft = RunBoth(s.Build(InstructionFactory.Assemble(Instruction.Create(Code.Push_r64, Register.RAX))));
        Assert.Equal(12, soft.Vector);
    }

    /// <summary>SDM vol. 3A, 4.7: CR2 is the linear address that faulted: for an operand that runs into a not-present page, that page's first byte.</summary>
    [KnownBugFact("X86Cpu.Atomic.cs (ReadForUpdate, AtomicPointer)", "a read-modify-write across a page boundary reports its last byte in CR2")]
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
    [KnownBugFact("X86Cpu.Execute.cs (Step)", "a store into the block being run (the next instruction) is not seen: the stale decoding runs")]
    public void StoreRewritingTheNextInstructionInTheSameBlockRunsTheNewCode()
    {
        // mov byte [rip + 1], 0x22 (the immediate of the next instruction); mov al, 0x11
        byte[] code = [0xC6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x22, 0xB0, 0x11];
        CaseOutcome soft = RunBoth(new CaseState(new OperandValues(13)).Build(code));
        Assert.Equal(0x22UL, soft.Registers[0] & 0xFF);
    }

    /// <summary>SDM vol. 3A, "Instruction-Breakpoint Exception Condition": "For any fault-class exception except a debug exception generated in response to an instruction breakpoint, the value pushed for RF is 1."</summary>
    [KnownBugFact("X86Cpu.Interrupts.cs (DeliverLongMode, DeliverProtectedMode)", "the RFLAGS image pushed for a fault has RF clear")]
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
