using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// SETcc, CMOVcc and Jcc (rel8 and rel32) for all sixteen conditions on
/// random flags, and LOOP, LOOPE, LOOPNE, JRCXZ and JECXZ on small and
/// boundary counts. A branch's target is INT3 like everything around the
/// code, so where the case stops says whether it was taken. (Jcc with a
/// 66h prefix is left out: Intel ignores the prefix in 64-bit mode, AMD
/// truncates RIP to 16 bits.)
/// </summary>
internal static class ConditionCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("condition");
        OperandValues v = g.Values;
        Mnemonic[] setcc = [Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe,
            Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg];
        Mnemonic[] cmovcc = [Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe,
            Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle,
            Mnemonic.Cmovg];
        Mnemonic[] jcc = [Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
            Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg];
        g.ForCodes(InstructionFactory.CodesOf(setcc), 60, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(cmovcc), 40, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(jcc).Where(Is64BitBranch), 60, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne, Mnemonic.Jrcxz, Mnemonic.Jecxz).Where(Is64BitBranch), 150,
            FillOptions.Default, (s, made) =>
            {
                // RCX (ECX with a 67h prefix) around 0 and 1, where the loop ends, with random upper bits.
                ulong count = v.Chance(0.6) ? (ulong)v.Int(0, 3) : v.Next(8);
                s.Set(1, v.Chance(0.5) ? count : (v.Bits64() & ~0xFFFF_FFFFUL) | (count & 0xFFFF_FFFF));
            });
        return g.Cases;
    }

    private static bool Is64BitBranch(Code code) => code.ToOpCode().GetOpKind(0) is OpCodeOperandKind.br64_1 or OpCodeOperandKind.br64_4;
}
