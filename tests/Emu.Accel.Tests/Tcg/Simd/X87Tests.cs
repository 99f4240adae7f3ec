using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// x87 instructions against the host CPU: random and special register and
/// memory operands, random rounding and precision control, random tags (so
/// stack underflow and overflow happen) and exception masks.
/// </summary>
public sealed class X87Tests
{
    private static readonly int CasesPerForm = SimdOracle.Scale(120);

    private static readonly string[] s_arithmetic =
    {
        "Fadd", "Faddp", "Fiadd", "Fsub", "Fsubp", "Fisub", "Fsubr", "Fsubrp", "Fisubr", "Fmul", "Fmulp", "Fimul",
        "Fdiv", "Fdivp", "Fidiv", "Fdivr", "Fdivrp", "Fidivr", "Fchs", "Fabs", "Fsqrt", "Frndint", "Fscale", "Fxtract", "Fprem", "Fprem1",
    };

    private static readonly string[] s_transfer =
    {
        "Fld", "Fst", "Fstp", "Fild", "Fist", "Fistp", "Fisttp", "Fbld", "Fbstp", "Fxch", "Fcmovb", "Fcmove", "Fcmovbe", "Fcmovu",
        "Fcmovnb", "Fcmovne", "Fcmovnbe", "Fcmovnu", "Fld1", "Fldz", "Fldpi", "Fldl2e", "Fldl2t", "Fldlg2", "Fldln2",
        "Ffree", "Ffreep", "Fincstp", "Fdecstp", "Fnop",
    };

    private static readonly string[] s_compare =
    {
        "Fcom", "Fcomp", "Fcompp", "Ficom", "Ficomp", "Fucom", "Fucomp", "Fucompp", "Fcomi", "Fcomip", "Fucomi", "Fucomip", "Ftst", "Fxam",
    };

    [Fact]
    public void Arithmetic_matches_the_host() => Run(s_arithmetic, 30);

    [Fact]
    public void Loads_stores_and_exchanges_match_the_host() => Run(s_transfer, 31);

    [Fact]
    public void Comparisons_match_the_host() => Run(s_compare, 32);

    private static void Run(string[] mnemonics, int seed)
    {
        var random = new Random(SimdOracle.Seed(seed));
        var cases = new List<SimdCase>();
        foreach (Code code in IntegerCases.Forms(mnemonics))
        {
            for (int k = 0; k < CasesPerForm; k++)
            {
                Instruction? i = Build(code, random);
                if (i == null)
                    break;
                var c = new SimdCase($"{code} #{k} {i}", Snippet.Encode(i.Value), State(random));
                if (i.Value.Mnemonic is Mnemonic.Fcomi or Mnemonic.Fcomip or Mnemonic.Fucomi or Mnemonic.Fucomip)
                    c.FswMask = unchecked((ushort)~0x200); // the SDM clears C1; the AMD reference host leaves it
                cases.Add(c);
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    public static Instruction? Build(Code code, Random random)
    {
        OpCodeInfo info = code.ToOpCode();
        if (info.OpCount == 0)
            return Instruction.Create(code);
        var memory = new MemoryOperand(Register.RBP, 16);
        var ops = new List<object>();
        for (int n = 0; n < info.OpCount; n++)
        {
            switch (info.GetOpKind(n))
            {
                case OpCodeOperandKind.st0:
                    ops.Add(Register.ST0);
                    break;
                case OpCodeOperandKind.sti_opcode:
                    ops.Add(Register.ST0 + random.Next(8));
                    break;
                case OpCodeOperandKind.mem:
                    ops.Add(memory);
                    break;
                case OpCodeOperandKind.r16_reg when code is Code.Fnstsw_AX or Code.Fstsw_AX:
                    ops.Add(Register.AX);
                    break;
                default:
                    return null;
            }
        }
        return ops switch
        {
            [Register a] => Instruction.Create(code, a),
            [MemoryOperand a] => Instruction.Create(code, a),
            [Register a, Register b] => Instruction.Create(code, a, b),
            _ => null,
        };
    }

    /// <summary>Random x87 registers, tags, TOP, control word and sticky (masked) flags; memory operands of every format.</summary>
    public static byte[] State(Random random)
    {
        var values = new X87Values(random);
        var floats = new FloatValues(random);
        var state = new SimdState(random).RandomFill().Flags((ulong)random.Next(0x1000) & 0x8D5);
        for (int i = 0; i < 8; i++)
        {
            (ulong m, ushort se) = values.Next();
            state.St(i, m, se);
        }
        ushort cw = values.ControlWord();
        int top = random.Next(8);
        int flags = random.Next(64) & cw & 0x3F;
        int conditions = random.Next(16);
        int codes = ((conditions & 7) << 8) | ((conditions & 8) << 11);
        state.Fcw(cw).Fsw((ushort)((top << 11) | flags | codes));
        int tags = random.Next(4) switch { 0 => 0xFF, 1 => random.Next(256), _ => 0xFF & ~(1 << random.Next(8)) };
        state.Ftw((byte)tags);
        // The memory operand at [rbp+16]: a float, double, integer, extended or BCD value.
        switch (random.Next(6))
        {
            case 0:
                state.Memory(16, floats.Single() | ((ulong)floats.Single() << 32));
                break;
            case 1:
                state.Memory(16, floats.Double());
                break;
            case 2:
                state.Memory(16, (ulong)floats.Integer(wide: random.Next(2) == 0));
                break;
            case 3:
            {
                (ulong m, ushort se) = values.Next();
                state.Memory(16, m).Memory(24, se);
                break;
            }
            case 4:
            {
                ulong bcd = 0;
                for (int d = 0; d < 16; d++)
                    bcd |= (ulong)random.Next(10) << (4 * d);
                int top2 = random.Next(100);
                state.Memory(16, bcd).Memory(24, (uint)((top2 % 10) | (top2 / 10 << 4)) | ((uint)random.Next(2) << 15));
                break;
            }
            default:
                state.Memory(16, (ulong)(short)random.Next(-5, 5));
                break;
        }
        return state.Bytes;
    }
}
