using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD and SHRD by 1, by an
/// immediate and by CL, at every width, with counts 0..70 (so the 5-bit and
/// 6-bit count masks, counts of exactly the width and beyond it, and RCL/RCR's
/// modulo 9 and 17 are all crossed) and now and then any byte. The flags the
/// SDM leaves undefined for the count are masked (<see cref="UndefinedFlags"/>).
/// </summary>
internal static class ShiftCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("shift");
        OperandValues v = g.Values;
        ulong Count() => v.Chance(0.85) ? (ulong)v.Int(0, 71) : v.Next(1);
        var options = new FillOptions
        {
            Implicit = 1 << 1, // CL
            Immediate = kind => Count(),
        };
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror,
            Mnemonic.Rcl, Mnemonic.Rcr), 60, options, (s, made) => Finish(s, made, Count()));
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Shld, Mnemonic.Shrd), 250, options, (s, made) => Finish(s, made, Count()));
        return g.Cases;
    }

    private static void Finish(CaseState s, GeneratedInstruction made, ulong clCount)
    {
        Instruction i = made.Instruction;
        int size = OperandAccess.Size(made, 0);
        int last = i.OpCount - 1;
        ulong count;
        if (i.GetOpKind(last) == OpKind.Register && i.GetOpRegister(last) == Register.CL)
        {
            // The count register: CL as chosen (when CL is not also the destination, whose value then is the count).
            if (!(i.Op0Kind == OpKind.Register && i.Op0Register.GetFullRegister() == Register.RCX))
                s.Set(1, (s.Registers[1] & ~0xFFUL) | (clCount & 0xFF));
            count = s.Registers[1] & 0xFF;
        }
        else
        {
            count = i.GetImmediate(last);
        }
        // The count is masked to 5 bits, or 6 with a 64-bit operand (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD/SHRD).
        int masked = (int)(count & (size == 8 ? 0x3FUL : 0x1FUL));
        int bits = size * 8;
        switch (i.Mnemonic)
        {
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
                s.Mask(UndefinedFlags.Shift(i.Mnemonic, masked, bits));
                break;
            case Mnemonic.Shld:
            case Mnemonic.Shrd:
                s.Mask(UndefinedFlags.DoubleShift(masked, bits));
                if (masked > bits)
                {
                    // "If the count is greater than the operand size, the result is undefined."
                    if (i.Op0Kind == OpKind.Register)
                        s.UndefinedRegisters |= 1 << (i.Op0Register.GetFullRegister() - Register.RAX);
                    else if (made.MemoryOffset is { } offset)
                        s.UndefinedData = (offset, size);
                }
                break;
            default:
                s.Mask(UndefinedFlags.Rotate(masked));
                break;
        }
    }
}
