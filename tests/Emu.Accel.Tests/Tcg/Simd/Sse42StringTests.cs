using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM against the host for every imm8
/// (format, aggregation, polarity, output), on string-like operands: few
/// distinct characters, zeros (terminators) in random places, explicit
/// lengths that are short, long, negative or far out of range.
/// </summary>
public sealed class Sse42StringTests
{
    private static readonly int CasesPerImmediate = SimdOracle.Scale(6);

    [Fact]
    public void String_comparisons_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(60));
        var cases = new List<SimdCase>();
        Code[] codes =
        {
            Code.Pcmpestri_xmm_xmmm128_imm8, Code.Pcmpestrm_xmm_xmmm128_imm8, Code.Pcmpistri_xmm_xmmm128_imm8, Code.Pcmpistrm_xmm_xmmm128_imm8,
            Code.Pcmpestri64_xmm_xmmm128_imm8, Code.Pcmpestrm64_xmm_xmmm128_imm8,
        };
        foreach (Code code in codes)
        {
            for (int imm = 0; imm < 128; imm++)
            {
                for (int k = 0; k < CasesPerImmediate; k++)
                {
                    Instruction i = k % 3 == 2
                        ? Instruction.Create(code, Register.XMM1, new MemoryOperand(Register.RBP, 16 + random.Next(16)), imm)
                        : Instruction.Create(code, Register.XMM1, Register.XMM2, imm);
                    var state = new SimdState(random).RandomFill().Flags((ulong)random.Next(0x1000) & 0x8D5);
                    state.Xmm(1, Text(random), Text(random)).Xmm(2, Text(random), Text(random));
                    for (int o = 0; o < 64; o += 8)
                        state.Memory(16 + o, Text(random));
                    state.Gpr(Snippet.Rax, Length(random)).Gpr(Snippet.Rdx, Length(random));
                    cases.Add(new SimdCase($"{code} imm {imm:X2} #{k}", Snippet.Encode(i), state.Bytes));
                }
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    // Eight bytes from a small alphabet, with zero bytes and words now and then.
    private static ulong Text(Random random)
    {
        ulong v = 0;
        int alphabet = random.Next(1, 5);
        for (int i = 0; i < 8; i++)
        {
            int c = random.Next(12) == 0 ? 0 : 'a' + random.Next(alphabet);
            if (random.Next(10) == 0)
                c = random.Next(256);
            v |= (ulong)c << (8 * i);
        }
        if (random.Next(4) == 0)
            v |= 0x8080_8080_8080_8080 & (ulong)random.NextInt64(); // signed comparisons
        return v;
    }

    private static ulong Length(Random random) => random.Next(6) switch
    {
        0 => (ulong)(long)random.Next(-20, 0),
        1 => (ulong)random.Next(17, 1000),
        2 => 0x8000_0000_0000_0000UL + (ulong)random.Next(100),
        3 => 0xFFFF_FFFF_0000_0000UL + (ulong)random.Next(20),
        _ => (ulong)random.Next(0, 17),
    };
}
