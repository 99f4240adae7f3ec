namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Exception vectors (SDM vol. 3A, table 6-1) and the signal Linux turns each
/// into for a user process (arch/x86/kernel/traps.c): #DE SIGFPE, #DB and #BP
/// SIGTRAP, #UD SIGILL, #GP and #PF SIGSEGV, #SS and #AC SIGBUS. The host
/// side reports the vector itself (the trap number in the signal context), so
/// the comparison is by vector; the signal is checked against this table.
/// </summary>
internal static class ExceptionNames
{
    public const int SigIll = 4, SigTrap = 5, SigBus = 7, SigFpe = 8, SigSegv = 11, SigAlrm = 14;

    public static string Name(int vector) => vector switch
    {
        CaseOutcome.NoException => "none (budget exhausted)",
        0 => "#DE",
        1 => "#DB",
        3 => "#BP",
        4 => "#OF",
        5 => "#BR",
        6 => "#UD",
        7 => "#NM",
        8 => "#DF",
        12 => "#SS",
        13 => "#GP",
        14 => "#PF",
        16 => "#MF",
        17 => "#AC",
        19 => "#XM",
        _ => $"vector {vector}",
    };

    public static bool HasErrorCode(int vector) => vector is 8 or 10 or 11 or 12 or 13 or 14 or 17;

    /// <summary>The signal a user process gets for an exception (0: none that these tests expect).</summary>
    public static int Signal(int vector) => vector switch
    {
        0 => SigFpe,
        1 or 3 => SigTrap,
        6 => SigIll,
        4 or 5 or 13 or 14 => SigSegv,
        12 or 17 => SigBus,
        16 or 19 => SigFpe,
        _ => 0,
    };
}
