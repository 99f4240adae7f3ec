using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// SSE/SSE2 floating-point instructions against the host CPU: random and
/// special operands under random MXCSR settings (rounding, DAZ, FTZ, masks,
/// sticky flags); results, MXCSR, flags and the exception taken must match.
/// </summary>
public sealed class SseFloatTests
{
    private static readonly int CasesPerForm = SimdOracle.Scale(250);

    private static readonly Code[] s_singleBinary =
    {
        Code.Addps_xmm_xmmm128, Code.Addss_xmm_xmmm32, Code.Subps_xmm_xmmm128, Code.Subss_xmm_xmmm32,
        Code.Mulps_xmm_xmmm128, Code.Mulss_xmm_xmmm32, Code.Divps_xmm_xmmm128, Code.Divss_xmm_xmmm32,
        Code.Minps_xmm_xmmm128, Code.Minss_xmm_xmmm32, Code.Maxps_xmm_xmmm128, Code.Maxss_xmm_xmmm32,
        Code.Sqrtps_xmm_xmmm128, Code.Sqrtss_xmm_xmmm32, Code.Comiss_xmm_xmmm32, Code.Ucomiss_xmm_xmmm32,
        Code.Cvtss2sd_xmm_xmmm32, Code.Cvtps2pd_xmm_xmmm64, Code.Cvtps2dq_xmm_xmmm128, Code.Cvttps2dq_xmm_xmmm128,
        Code.Cvtdq2ps_xmm_xmmm128,
    };

    private static readonly Code[] s_doubleBinary =
    {
        Code.Addpd_xmm_xmmm128, Code.Addsd_xmm_xmmm64, Code.Subpd_xmm_xmmm128, Code.Subsd_xmm_xmmm64,
        Code.Mulpd_xmm_xmmm128, Code.Mulsd_xmm_xmmm64, Code.Divpd_xmm_xmmm128, Code.Divsd_xmm_xmmm64,
        Code.Minpd_xmm_xmmm128, Code.Minsd_xmm_xmmm64, Code.Maxpd_xmm_xmmm128, Code.Maxsd_xmm_xmmm64,
        Code.Sqrtpd_xmm_xmmm128, Code.Sqrtsd_xmm_xmmm64, Code.Comisd_xmm_xmmm64, Code.Ucomisd_xmm_xmmm64,
        Code.Cvtsd2ss_xmm_xmmm64, Code.Cvtpd2ps_xmm_xmmm128, Code.Cvtpd2dq_xmm_xmmm128, Code.Cvttpd2dq_xmm_xmmm128,
        Code.Cvtdq2pd_xmm_xmmm64,
    };

    private static readonly Code[] s_compares =
    {
        Code.Cmpps_xmm_xmmm128_imm8, Code.Cmpss_xmm_xmmm32_imm8, Code.Cmppd_xmm_xmmm128_imm8, Code.Cmpsd_xmm_xmmm64_imm8,
    };

    private static readonly Code[] s_toInteger =
    {
        Code.Cvtss2si_r32_xmmm32, Code.Cvtss2si_r64_xmmm32, Code.Cvttss2si_r32_xmmm32, Code.Cvttss2si_r64_xmmm32,
        Code.Cvtsd2si_r32_xmmm64, Code.Cvtsd2si_r64_xmmm64, Code.Cvttsd2si_r32_xmmm64, Code.Cvttsd2si_r64_xmmm64,
    };

    private static readonly Code[] s_fromInteger =
    {
        Code.Cvtsi2ss_xmm_rm32, Code.Cvtsi2ss_xmm_rm64, Code.Cvtsi2sd_xmm_rm32, Code.Cvtsi2sd_xmm_rm64,
    };

    [Fact]
    public void Single_precision_arithmetic_matches_the_host() => Run(s_singleBinary, isDouble: false, seed: 10);

    [Fact]
    public void Double_precision_arithmetic_matches_the_host() => Run(s_doubleBinary, isDouble: true, seed: 11);

    [Fact]
    public void Sse3_single_precision_arithmetic_matches_the_host() =>
        Run(new[] { Code.Addsubps_xmm_xmmm128, Code.Haddps_xmm_xmmm128, Code.Hsubps_xmm_xmmm128 }, isDouble: false, seed: 15);

    [Fact]
    public void Sse3_double_precision_arithmetic_matches_the_host() =>
        Run(new[] { Code.Addsubpd_xmm_xmmm128, Code.Haddpd_xmm_xmmm128, Code.Hsubpd_xmm_xmmm128 }, isDouble: true, seed: 16);

    [Fact]
    public void Sse41_rounding_and_dot_products_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(17));
        var values = new FloatValues(random);
        var cases = new List<SimdCase>();
        foreach (Code code in new[] { Code.Roundps_xmm_xmmm128_imm8, Code.Roundss_xmm_xmmm32_imm8, Code.Dpps_xmm_xmmm128_imm8,
                     Code.Roundpd_xmm_xmmm128_imm8, Code.Roundsd_xmm_xmmm64_imm8, Code.Dppd_xmm_xmmm128_imm8 })
        {
            bool isDouble = code.ToString().Contains("pd") || code.ToString().Contains("sd");
            for (int k = 0; k < CasesPerForm; k++)
            {
                int imm = code.ToString().StartsWith("Round") ? random.Next(16) : random.Next(256);
                Instruction i = k % 5 == 4
                    ? Instruction.Create(code, Register.XMM0, new MemoryOperand(Register.RBP, 16), imm)
                    : Instruction.Create(code, Register.XMM0, Register.XMM1, imm);
                cases.Add(new SimdCase($"{code} #{k} imm {imm:X2}", Snippet.Encode(i), Operands(random, values, isDouble)));
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    [Fact]
    public void Comparisons_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(12));
        var values = new FloatValues(random);
        var cases = new List<SimdCase>();
        foreach (Code code in s_compares)
        {
            bool isDouble = code.ToString().Contains("pd") || code.ToString().Contains("sd");
            for (int k = 0; k < CasesPerForm; k++)
            {
                var i = Instruction.Create(code, Register.XMM0, Register.XMM1, k & 7);
                cases.Add(new SimdCase($"{code} #{k}", Snippet.Encode(i), Operands(random, values, isDouble)));
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    [Fact]
    public void Conversions_to_integers_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(13));
        var values = new FloatValues(random);
        var cases = new List<SimdCase>();
        foreach (Code code in s_toInteger)
        {
            bool isDouble = code.ToString().Contains("sd2si");
            bool wide = code.ToString().Contains("r64");
            for (int k = 0; k < CasesPerForm; k++)
            {
                var i = Instruction.Create(code, wide ? Register.RAX : Register.EAX, Register.XMM1);
                cases.Add(new SimdCase($"{code} #{k}", Snippet.Encode(i), Operands(random, values, isDouble)));
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    [Fact]
    public void Conversions_from_integers_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(14));
        var values = new FloatValues(random);
        var cases = new List<SimdCase>();
        foreach (Code code in s_fromInteger)
        {
            bool wide = code.ToString().Contains("rm64");
            for (int k = 0; k < CasesPerForm; k++)
            {
                var i = Instruction.Create(code, Register.XMM0, wide ? Register.RBX : Register.EBX);
                var state = new SimdState(random).RandomFill().Mxcsr(values.Mxcsr()).Gpr(Snippet.Rbx, (ulong)values.Integer(wide));
                cases.Add(new SimdCase($"{code} #{k}", Snippet.Encode(i), state.Bytes));
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    private static void Run(Code[] codes, bool isDouble, int seed)
    {
        var random = new Random(SimdOracle.Seed(seed));
        var values = new FloatValues(random);
        var cases = new List<SimdCase>();
        foreach (Code code in codes)
        {
            for (int k = 0; k < CasesPerForm; k++)
            {
                Instruction i = k % 5 == 4
                    ? Instruction.Create(code, Register.XMM0, new MemoryOperand(Register.RBP, 16))
                    : Instruction.Create(code, Register.XMM0, Register.XMM1);
                cases.Add(new SimdCase($"{code} #{k}", Snippet.Encode(i), Operands(random, values, isDouble)));
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    // XMM0 and XMM1 (and the memory operand at [rbp+16]) get related special or random values.
    private static byte[] Operands(Random random, FloatValues values, bool isDouble)
    {
        var state = new SimdState(random).RandomFill().Mxcsr(values.Mxcsr()).Flags((ulong)random.Next(0x1000) & 0x8D5);
        ulong a0, a1, b0, b1;
        if (isDouble)
        {
            a0 = values.Double();
            a1 = values.Double();
            b0 = values.DoubleNear(a0);
            b1 = values.DoubleNear(a1);
        }
        else
        {
            uint x0 = values.Single(), x1 = values.Single(), x2 = values.Single(), x3 = values.Single();
            a0 = x0 | ((ulong)x1 << 32);
            a1 = x2 | ((ulong)x3 << 32);
            b0 = values.SingleNear(x0) | ((ulong)values.SingleNear(x1) << 32);
            b1 = values.SingleNear(x2) | ((ulong)values.SingleNear(x3) << 32);
        }
        state.Xmm(0, a0, a1).Xmm(1, b0, b1).Memory(16, b0).Memory(24, b1);
        return state.Bytes;
    }
}
