namespace Emu.Accel.Tcg;

/// <summary>The decimal adjustments of 16- and 32-bit code: DAA, DAS, AAA, AAS, AAM, AAD (Intel SDM vol. 2; invalid in 64-bit mode, where Iced decodes nothing for them).</summary>
internal static class BcdOps
{
    public static void Daa(X86Cpu cpu, ref DecodedOp op)
    {
        ulong al = cpu.Rax & 0xFF;
        bool cf = cpu.Cf, af = cpu.Af;
        ulong oldAl = al;
        bool newCf = false;
        if ((al & 0xF) > 9 || af)
        {
            al = (al + 6) & 0xFF;
            newCf = cf || oldAl + 6 > 0xFF;
            af = true;
        }
        else
        {
            af = false;
        }
        if (oldAl > 0x99 || cf)
        {
            al = (al + 0x60) & 0xFF;
            newCf = true;
        }
        Finish(cpu, al, newCf, af);
    }

    public static void Das(X86Cpu cpu, ref DecodedOp op)
    {
        ulong al = cpu.Rax & 0xFF;
        bool cf = cpu.Cf, af = cpu.Af;
        ulong oldAl = al;
        bool newCf = false;
        if ((al & 0xF) > 9 || af)
        {
            newCf = cf || al < 6;
            al = (al - 6) & 0xFF;
            af = true;
        }
        else
        {
            af = false;
        }
        if (oldAl > 0x99 || cf)
        {
            al = (al - 0x60) & 0xFF;
            newCf = true;
        }
        Finish(cpu, al, newCf, af);
    }

    private static void Finish(X86Cpu cpu, ulong al, bool cf, bool af)
    {
        cpu.Rax = (cpu.Rax & ~0xFFUL) | al;
        cpu.SetResultFlags(al, 1, cf, overflow: false);
        cpu.UpdateArithmeticFlags(X86Cpu.FlagAf, af ? X86Cpu.FlagAf : 0);
    }

    public static void Aaa(X86Cpu cpu, ref DecodedOp op) => AsciiAdjust(cpu, add: true);
    public static void Aas(X86Cpu cpu, ref DecodedOp op) => AsciiAdjust(cpu, add: false);

    private static void AsciiAdjust(X86Cpu cpu, bool add)
    {
        ulong ax = cpu.Rax & 0xFFFF;
        bool adjust = (ax & 0xF) > 9 || cpu.Af;
        if (adjust)
        {
            ax = add ? ax + 0x106 : ax - 0x106;
            ax &= 0xFFFF;
        }
        ax &= 0xFF0F;
        cpu.Rax = (cpu.Rax & ~0xFFFFUL) | ax;
        cpu.UpdateArithmeticFlags(X86Cpu.FlagAf | X86Cpu.FlagCf, adjust ? X86Cpu.FlagAf | X86Cpu.FlagCf : 0);
    }

    public static void Aam(X86Cpu cpu, ref DecodedOp op)
    {
        ulong imm = op.I.Immediate8;
        if (imm == 0)
            throw cpu.Fault(ExceptionVector.DivideError);
        ulong al = cpu.Rax & 0xFF;
        ulong ah = al / imm;
        al %= imm;
        cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (ah << 8) | al;
        cpu.SetResultFlags(al, 1, false, false);
    }

    public static void Aad(X86Cpu cpu, ref DecodedOp op)
    {
        ulong imm = op.I.Immediate8;
        ulong al = ((cpu.Rax & 0xFF) + ((cpu.Rax >> 8) & 0xFF) * imm) & 0xFF;
        cpu.Rax = (cpu.Rax & ~0xFFFFUL) | al;
        cpu.SetResultFlags(al, 1, false, false);
    }
}
