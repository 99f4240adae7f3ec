using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// MUL, IMUL (one, two and three operands) and DIV, IDIV at every width.
/// Dividends are built from the divisor so that most quotients fit and some
/// do not (#DE), with divisors of 0 and the one overflow of signed division
/// (the most negative dividend by -1).
/// </summary>
internal static class MulDivCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("muldiv");
        OperandValues v = g.Values;
        var implicitAccumulator = new FillOptions { Implicit = 1 << 0 | 1 << 2 };
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Mul, Mnemonic.Imul).Where(c => c.ToOpCode().OpCount == 1), 150, implicitAccumulator,
            (s, made) => SetAccumulator(s, OperandAccess.Size(made, 0), v));
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Imul).Where(c => c.ToOpCode().OpCount > 1), 150, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Div), 300, implicitAccumulator, (s, made) => SetDivision(s, made, v, signed: false));
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Idiv), 300, implicitAccumulator, (s, made) => SetDivision(s, made, v, signed: true));
        return g.Cases;
    }

    private static void SetAccumulator(CaseState s, int size, OperandValues v)
    {
        OperandAccess.SetRegister(s, InstructionFactory.Gpr(size, 0), v.Next(size));
        s.Use(2);
    }

    // DIV/IDIV divide AX, DX:AX, EDX:EAX or RDX:RAX by the operand (SDM DIV, IDIV): #DE for a zero divisor or a quotient that does not fit.
    private static void SetDivision(CaseState s, GeneratedInstruction made, OperandValues v, bool signed)
    {
        int size = OperandAccess.Size(made, 0);
        int bits = size * 8;
        ulong mask = OperandValues.Mask(size);
        ulong divisor = v.Chance(0.05) ? 0 : v.Next(size);
        if (signed && v.Chance(0.05))
            divisor = mask; // -1
        OperandAccess.Set(s, made, 0, divisor);
        divisor = OperandAccess.Get(s, made, 0) & mask; // as it ended up (the divisor may be the accumulator itself)
        UInt128 dividend;
        double r = v.Random.NextDouble();
        if (r < 0.15)
        {
            dividend = ((UInt128)v.Bits64() << 64) | v.Bits64(); // anything: mostly #DE
        }
        else if (signed && r < 0.2)
        {
            dividend = (UInt128)1 << (2 * bits - 1); // the most negative dividend
        }
        else if (!signed)
        {
            // A quotient that fits: the high half below the divisor.
            ulong high = divisor == 0 ? v.Next(size) : v.Bits64() % divisor;
            dividend = ((UInt128)high << bits) | v.Next(size);
        }
        else
        {
            // quotient * divisor + remainder, the remainder smaller than the divisor and of the dividend's sign.
            Int128 d = X86Signed(divisor, size);
            Int128 q = X86Signed(v.Next(size), size);
            Int128 magnitude = d == 0 ? 0 : (Int128)(v.Bits64() >> 1) % Int128.Abs(d);
            Int128 product = q * d;
            Int128 value = product + (product < 0 ? -magnitude : magnitude);
            dividend = (UInt128)value;
        }
        SetDividend(s, size, dividend);
    }

    private static Int128 X86Signed(ulong value, int size) => size switch
    {
        1 => (sbyte)value,
        2 => (short)value,
        4 => (int)value,
        _ => (long)value,
    };

    private static void SetDividend(CaseState s, int size, UInt128 dividend)
    {
        int bits = size * 8;
        ulong low = (ulong)dividend & OperandValues.Mask(size);
        ulong high = (ulong)(dividend >> bits) & OperandValues.Mask(size);
        if (size == 1)
        {
            // The dividend is AX: AH is the high half.
            OperandAccess.SetRegister(s, Register.AX, (high << 8) | low);
            s.Use(2);
            return;
        }
        OperandAccess.SetRegister(s, InstructionFactory.Gpr(size, 0), low);
        OperandAccess.SetRegister(s, InstructionFactory.Gpr(size, 2), high);
    }
}
