namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>The known divergences (see <see cref="KnownIssue"/>), each recognised by exactly the difference it makes.</summary>
internal static class KnownIssues
{
    /// <summary>
    /// SDM vol. 2, "64-Bit Mode Exceptions" of every instruction with a memory
    /// operand: "#SS(0) If a memory address referencing the SS segment is in a
    /// non-canonical form", #GP(0) for the other segments; vol. 3A, 3.3.7.1:
    /// the check is part of linear address formation, before paging, and
    /// covers every byte of the access. The software CPU checks canonical form
    /// only in the page walk, which does not know the segment (so always
    /// #GP(0)) and walks an access that crosses from the top of the lower half
    /// into non-canonical addresses page by page (so a #PF on the first page
    /// comes first).
    /// </summary>
    public static readonly KnownIssue NonCanonicalAddress = new(
        "non-canonical addresses: #GP instead of #SS through SS, #PF before the canonical check",
        "X86Cpu.Memory.cs (Linear) / X86Cpu.Paging.cs (Translate)",
        "check that the first and last byte of an access are canonical in Linear()'s 64-bit path, where the segment is known, "
            + "raising #SS(0) for SS and #GP(0) otherwise, before any translation",
        m => WithoutResumeFlag(m.Differences) is ["exception"] && m.Host.Vector is 12 or 13 && m.Host.ErrorCode == 0 && m.Soft.Vector is 13 or 14
            && (m.Soft.Vector == 13 ? m.Soft.ErrorCode == 0 : m.Soft.FaultAddress is >= 0x7FFF_FFFF_F000 and < 0x8000_0000_0000));

    /// <summary>
    /// SDM vol. 3A, 4.7: CR2 receives the linear address that caused the page
    /// fault; for an access that crosses into a page that faults, that is the
    /// first byte in that page (the host reports the page boundary). The
    /// software CPU's read-modify-write and LOCK paths probe the last byte of
    /// the operand instead (X86Cpu.ReadForUpdate and AtomicPointer call
    /// ProbeWrite(linear + size - 1)).
    /// </summary>
    public static readonly KnownIssue SplitReadModifyWriteCr2 = new(
        "CR2 of a read-modify-write across a page boundary is its last byte",
        "X86Cpu.Atomic.cs (ReadForUpdate, AtomicPointer)",
        "a read-modify-write (or LOCK) operand that crosses into a faulting page must report CR2 = the start of that page: "
            + "probe (linear + size - 1) & PageMask, not linear + size - 1",
        m => WithoutResumeFlag(m.Differences) is ["CR2"] && m.Host.Vector == 14 && (m.Host.FaultAddress & 0xFFF) == 0
            && m.Soft.FaultAddress > m.Host.FaultAddress && m.Soft.FaultAddress - m.Host.FaultAddress < 16);

    /// <summary>
    /// SDM vol. 3A, "Instruction-Breakpoint Exception Condition" (18.3.1.1): "For any fault-class exception
    /// except a debug exception generated in response to an instruction breakpoint, the value pushed for RF
    /// is 1" (so that IRET back to the faulting instruction does not take its instruction breakpoint again;
    /// likewise for an interrupt between iterations of a REP string instruction). The host does. The
    /// software CPU pushes RFLAGS as it is, RF clear.
    /// </summary>
    public static readonly KnownIssue FaultFrameWithoutResumeFlag = new(
        "the RFLAGS image of a fault lacks RF",
        "X86Cpu.Interrupts.cs (DeliverLongMode, DeliverProtectedMode)",
        "push RFLAGS | RF for fault-class exceptions (kind Exception and not #BP/#OF, which are traps)",
        m => m.Differences is ["rflags RF"] && m.Host.Vector is 0 or 5 or 6 or 7 or 10 or 11 or 12 or 13 or 14 or 16 or 17 or 19
            && (m.Host.Rflags & CaseComparer.Rf) != 0 && (m.Soft.Rflags & CaseComparer.Rf) == 0);

    public static IReadOnlyList<KnownIssue> All { get; } = [NonCanonicalAddress, SplitReadModifyWriteCr2, FaultFrameWithoutResumeFlag];

    // A fault's mismatch also shows the missing RF (FaultFrameWithoutResumeFlag), which the other issues look past.
    private static string[] WithoutResumeFlag(IReadOnlyList<string> differences) => differences.Where(d => d != "rflags RF").ToArray();

    public static KnownIssue? Explain(Mismatch mismatch) => All.FirstOrDefault(k => k.Matches(mismatch));
}
