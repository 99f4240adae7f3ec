using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// The MMX, SSE2 and later integer instructions (element-wise arithmetic,
/// logic, shifts, packs, unpacks, shuffles, insert/extract) against the host
/// CPU, in every register and memory form, with random operands biased to
/// the values where saturation and sign matter, and a random x87 TOP so the
/// MMX aliasing of the x87 registers is exercised.
/// </summary>
public sealed class SseIntegerTests
{
    [Fact]
    public void Mmx_instructions_match_the_host() => IntegerCases.Run(IntegerCases.Mmx, 20);

    [Fact]
    public void Sse2_integer_instructions_match_the_host() => IntegerCases.Run(IntegerCases.Sse2, 21);

    [Fact]
    public void Sse3_moves_match_the_host() => IntegerCases.Run(new[] { "Movshdup", "Movsldup", "Movddup", "Lddqu" }, 25);

    [Fact]
    public void Ssse3_instructions_match_the_host() => IntegerCases.Run(IntegerCases.Ssse3, 22);

    [Fact]
    public void Sse41_integer_instructions_match_the_host() => IntegerCases.Run(IntegerCases.Sse41, 23);

    [Fact]
    public void Sse42_pcmpgtq_and_crc32_match_the_host() => IntegerCases.Run(IntegerCases.Sse42, 24);
}

/// <summary>Builds differential cases for the integer SIMD instructions from their Iced operand descriptions.</summary>
internal static class IntegerCases
{
    private static readonly int CasesPerForm = SimdOracle.Scale(40);

    /// <summary>Mnemonics whose legacy (non-VEX) forms are tested here, by the group that must be complete.</summary>
    public static readonly string[] Mmx =
    {
        "Paddb", "Paddw", "Paddd", "Paddq", "Psubb", "Psubw", "Psubd", "Psubq", "Paddsb", "Paddsw", "Paddusb", "Paddusw",
        "Psubsb", "Psubsw", "Psubusb", "Psubusw", "Pand", "Pandn", "Por", "Pxor", "Pcmpeqb", "Pcmpeqw", "Pcmpeqd",
        "Pcmpgtb", "Pcmpgtw", "Pcmpgtd", "Pmullw", "Pmulhw", "Pmaddwd", "Psllw", "Pslld", "Psllq", "Psrlw", "Psrld",
        "Psrlq", "Psraw", "Psrad", "Packsswb", "Packssdw", "Packuswb", "Punpcklbw", "Punpcklwd", "Punpckldq",
        "Punpckhbw", "Punpckhwd", "Punpckhdq",
    };

    public static readonly string[] Sse2 =
    {
        "Pmulhuw", "Pmuludq", "Pavgb", "Pavgw", "Pmaxub", "Pmaxsw", "Pminub", "Pminsw", "Psadbw", "Pslldq", "Psrldq",
        "Punpcklqdq", "Punpckhqdq", "Pshufd", "Pshufhw", "Pshuflw", "Pshufw", "Pinsrw", "Pextrw", "Shufps", "Shufpd",
        "Unpcklps", "Unpckhps", "Unpcklpd", "Unpckhpd", "Andps", "Andpd", "Andnps", "Andnpd", "Orps", "Orpd", "Xorps", "Xorpd",
    };

    public static readonly string[] Ssse3 =
    {
        "Pshufb", "Phaddw", "Phaddd", "Phaddsw", "Phsubw", "Phsubd", "Phsubsw", "Pmaddubsw", "Pmulhrsw", "Psignb", "Psignw",
        "Psignd", "Pabsb", "Pabsw", "Pabsd", "Palignr",
    };

    public static readonly string[] Sse41 =
    {
        "Pcmpeqq", "Pminsb", "Pminsd", "Pminuw", "Pminud", "Pmaxsb", "Pmaxsd", "Pmaxuw", "Pmaxud", "Pmulld", "Pmuldq",
        "Packusdw", "Pmovsxbw", "Pmovsxbd", "Pmovsxbq", "Pmovsxwd", "Pmovsxwq", "Pmovsxdq", "Pmovzxbw", "Pmovzxbd",
        "Pmovzxbq", "Pmovzxwd", "Pmovzxwq", "Pmovzxdq", "Ptest", "Pblendvb", "Blendvps", "Blendvpd", "Pblendw", "Blendps",
        "Blendpd", "Pextrb", "Pextrd", "Pextrq", "Pinsrb", "Pinsrd", "Pinsrq", "Extractps", "Insertps", "Phminposuw",
        "Mpsadbw",
    };

    public static readonly string[] Sse42 = { "Pcmpgtq", "Crc32" };

    public static void Run(string[] mnemonics, int seed)
    {
        var random = new Random(SimdOracle.Seed(seed));
        var cases = new List<SimdCase>();
        var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Code code in Forms(mnemonics))
        {
            for (int k = 0; k < CasesPerForm; k++)
            {
                Instruction? i = Build(code, random, memory: k % 3 == 2);
                if (i == null)
                    continue;
                covered.Add(code.ToString()[..code.ToString().IndexOf('_')]);
                cases.Add(new SimdCase($"{code} #{k} {i}", Snippet.Encode(i.Value), State(random)));
            }
        }
        string[] missing = mnemonics.Where(m => !covered.Contains(m)).ToArray();
        Assert.True(missing.Length == 0, "no forms built for " + string.Join(", ", missing));
        SimdOracle.AssertSameAsHost(cases);
    }

    /// <summary>The legacy-encoded forms of the mnemonics.</summary>
    public static IEnumerable<Code> Forms(string[] mnemonics)
    {
        var set = new HashSet<string>(mnemonics, StringComparer.OrdinalIgnoreCase);
        foreach (Code code in Enum.GetValues<Code>())
        {
            string name = code.ToString();
            if (name.StartsWith("VEX_") || name.StartsWith("EVEX_") || name.StartsWith("XOP_") || name.StartsWith("MVEX_"))
                continue;
            int underscore = name.IndexOf('_');
            if (underscore > 0 && set.Contains(name[..underscore]))
                yield return code;
        }
    }

    /// <summary>The instruction with registers (or [rbp+16]/[rbp+32]) as its operands and a random immediate.</summary>
    public static Instruction? Build(Code code, Random random, bool memory)
    {
        OpCodeInfo info = code.ToOpCode();
        var ops = new List<object>();
        bool usedMemory = false;
        int xmmNext = 1, mmNext = 1;
        for (int n = 0; n < info.OpCount; n++)
        {
            OpCodeOperandKind kind = info.GetOpKind(n);
            switch (kind)
            {
                case OpCodeOperandKind.mm_reg:
                case OpCodeOperandKind.mm_rm:
                    ops.Add(Register.MM0 + mmNext++);
                    break;
                case OpCodeOperandKind.xmm_reg:
                case OpCodeOperandKind.xmm_rm:
                    ops.Add(Register.XMM0 + xmmNext++);
                    break;
                case OpCodeOperandKind.mm_or_mem:
                case OpCodeOperandKind.xmm_or_mem:
                case OpCodeOperandKind.r32_or_mem:
                case OpCodeOperandKind.r64_or_mem:
                    if (memory && !usedMemory)
                    {
                        ops.Add(new MemoryOperand(Register.RBP, random.Next(4) == 0 ? 32 : 16));
                        usedMemory = true;
                    }
                    else if (kind == OpCodeOperandKind.mm_or_mem)
                        ops.Add(Register.MM0 + mmNext++);
                    else if (kind == OpCodeOperandKind.xmm_or_mem)
                        ops.Add(Register.XMM0 + xmmNext++);
                    else if (kind == OpCodeOperandKind.r32_or_mem)
                        ops.Add(random.Next(2) == 0 ? Register.EAX : Register.R8D);
                    else
                        ops.Add(random.Next(2) == 0 ? Register.RAX : Register.R8);
                    break;
                case OpCodeOperandKind.mem:
                    ops.Add(new MemoryOperand(Register.RBP, 16));
                    usedMemory = true;
                    break;
                case OpCodeOperandKind.r8_or_mem:
                case OpCodeOperandKind.r16_or_mem:
                    if (memory && !usedMemory)
                    {
                        ops.Add(new MemoryOperand(Register.RBP, 16 + random.Next(8)));
                        usedMemory = true;
                    }
                    else
                    {
                        ops.Add(kind == OpCodeOperandKind.r8_or_mem ? (random.Next(2) == 0 ? Register.CL : Register.R9L) : Register.CX);
                    }
                    break;
                case OpCodeOperandKind.r32_reg:
                case OpCodeOperandKind.r32_rm:
                    ops.Add(random.Next(2) == 0 ? Register.EBX : Register.R9D);
                    break;
                case OpCodeOperandKind.r64_reg:
                case OpCodeOperandKind.r64_rm:
                    ops.Add(random.Next(2) == 0 ? Register.RBX : Register.R9);
                    break;
                case OpCodeOperandKind.imm8:
                    ops.Add(random.Next(3) == 0 ? random.Next(0, 40) : random.Next(256));
                    break;
                default:
                    return null;
            }
        }
        return ops.Count switch
        {
            1 => Create(code, ops[0]),
            2 => Create(code, ops[0], ops[1]),
            3 => Create(code, ops[0], ops[1], ops[2]),
            _ => null,
        };
    }

    private static Instruction Create(Code code, params object[] ops) => ops switch
    {
        [Register a] => Instruction.Create(code, a),
        [Register a, Register b] => Instruction.Create(code, a, b),
        [Register a, MemoryOperand b] => Instruction.Create(code, a, b),
        [MemoryOperand a, Register b] => Instruction.Create(code, a, b),
        [Register a, int b] => Instruction.Create(code, a, b),
        [Register a, Register b, int c] => Instruction.Create(code, a, b, c),
        [Register a, MemoryOperand b, int c] => Instruction.Create(code, a, b, c),
        [MemoryOperand a, Register b, int c] => Instruction.Create(code, a, b, c),
        [Register a, Register b, Register c] => Instruction.Create(code, a, b, c),
        [Register a, MemoryOperand b, Register c] => Instruction.Create(code, a, b, c),
        _ => throw new InvalidOperationException($"no operand pattern for {code}"),
    };

    /// <summary>Random registers and memory with many boundary values; a random x87 TOP.</summary>
    public static byte[] State(Random random)
    {
        var state = new SimdState(random).RandomFill().Flags((ulong)random.Next(0x1000) & 0x8D5);
        for (int i = 0; i < 16; i++)
            state.Xmm(i, Biased(random), Biased(random));
        for (int i = 0; i < 8; i++)
            state.St(i, Biased(random), (ushort)random.Next(0x10000));
        for (int o = 0; o < Snippet.MemorySize; o += 8)
            state.Memory(o, Biased(random));
        state.Fsw((ushort)(random.Next(8) << 11));
        state.Ftw((byte)random.Next(256));
        return state.Bytes;
    }

    private static readonly ulong[] s_lanes = { 0, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF };

    private static ulong Biased(Random random)
    {
        ulong v = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
        for (int lane = 0; lane < 4; lane++)
        {
            if (random.Next(3) == 0)
            {
                int shift = 16 * lane;
                ulong pattern = s_lanes[random.Next(s_lanes.Length)] & 0xFFFF;
                v = (v & ~(0xFFFFUL << shift)) | (pattern << shift);
            }
        }
        if (random.Next(8) == 0)
            v = random.Next(2) == 0 ? (ulong)random.Next(70) : ulong.MaxValue;
        return v;
    }
}
