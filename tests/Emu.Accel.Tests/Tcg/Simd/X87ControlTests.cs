using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// The x87 control instructions against the host: environments and saved
/// states in every format (their instruction and data pointers excepted:
/// the code runs at other addresses), control and status word loads and
/// stores, and when a pending unmasked exception is reported as #MF.
/// </summary>
public sealed class X87ControlTests
{
    private static readonly int CasesPerForm = SimdOracle.Scale(60);

    // The FIP/FCS/FOP/FDP/FDS part of a stored environment at [rbp+16]: 14- and 28-byte layouts.
    private const int Env28Pointers = 12, Env28PointersLength = 16, Env14Pointers = 6, Env14PointersLength = 8;

    private static readonly (string Name, Func<byte[]> Body, int Ignore, int IgnoreLength)[] s_forms =
    {
        ("fnstenv", () => Encode(Code.Fnstenv_m28byte), Env28Pointers, Env28PointersLength),
        ("fstenv", () => Encode(Code.Fstenv_m28byte), Env28Pointers, Env28PointersLength),
        ("fnstenv m14", () => Encode(Code.Fnstenv_m14byte), Env14Pointers, Env14PointersLength),
        ("fldenv", () => Encode(Code.Fldenv_m28byte), 0, 0),
        ("fldenv m14", () => Encode(Code.Fldenv_m14byte), 0, 0),
        ("fnsave", () => Encode(Code.Fnsave_m108byte), Env28Pointers, Env28PointersLength),
        ("fsave", () => Encode(Code.Fsave_m108byte), Env28Pointers, Env28PointersLength),
        ("fnsave m94", () => Encode(Code.Fnsave_m94byte), Env14Pointers, Env14PointersLength),
        ("frstor", () => Encode(Code.Frstor_m108byte), 0, 0),
        ("frstor m94", () => Encode(Code.Frstor_m94byte), 0, 0),
        ("fnstsw ax", () => Snippet.Assemble(a => a.fnstsw(ax)), 0, 0),
        ("fstsw ax", () => Snippet.Assemble(a => a.fstsw(ax)), 0, 0),
        ("fnstsw m16", () => Snippet.Assemble(a => a.fnstsw(__word_ptr[rbp + 8])), 0, 0),
        ("fnstcw", () => Snippet.Assemble(a => a.fnstcw(__word_ptr[rbp + 8])), 0, 0),
        ("fstcw", () => Snippet.Assemble(a => a.fstcw(__word_ptr[rbp + 8])), 0, 0),
        ("fldcw", () => Snippet.Assemble(a => { a.fldcw(__word_ptr[rbp + 16]); a.fnstcw(__word_ptr[rbp + 8]); a.fnstsw(__word_ptr[rbp + 10]); }), 0, 0),
        ("fnclex", () => Snippet.Assemble(a => a.fnclex()), 0, 0),
        ("fclex", () => Snippet.Assemble(a => a.fclex()), 0, 0),
        ("fninit", () => Snippet.Assemble(a => a.fninit()), 0, 0),
        ("finit", () => Snippet.Assemble(a => a.finit()), 0, 0),
        ("fwait", () => Snippet.Assemble(a => a.wait()), 0, 0),
        ("fnop", () => Snippet.Assemble(a => a.fnop()), 0, 0),
        ("fincstp", () => Snippet.Assemble(a => a.fincstp()), 0, 0),
        ("fdecstp", () => Snippet.Assemble(a => a.fdecstp()), 0, 0),
        ("emms", () => Snippet.Assemble(a => a.emms()), 0, 0),
        ("movq mm", () => Snippet.Assemble(a => a.movq(mm1, mm2)), 0, 0),
        ("fxsave", () => Snippet.Assemble(a => a.fxsave(__[rbp + 16])), 6, 18),
        ("fxrstor", () => Snippet.Assemble(a => a.fxrstor(__[rbp + 16])), 0, 0),
        // An unmasked exception and the instructions after it.
        ("fdiv by zero, fwait", () => Snippet.Assemble(a => { a.fldz(); a.fld1(); a.fdivrp(st1, st0); a.fnstsw(__word_ptr[rbp + 8]); a.wait(); }), 0, 0),
        ("fsqrt of -1, fnstenv, fwait", () => Snippet.Assemble(a => { a.fld1(); a.fchs(); a.fsqrt(); a.fnstenv(__[rbp + 16]); a.wait(); }), Env28Pointers, Env28PointersLength),
        ("overflow to memory, fnclex, fwait", () => Snippet.Assemble(a => { a.fld(__tword_ptr[rbp + 16]); a.fst(__dword_ptr[rbp + 32]); a.fnclex(); a.wait(); }), 0, 0),
    };

    private static byte[] Encode(Code code) => Snippet.Encode(Instruction.Create(code, new MemoryOperand(Register.RBP, 16)));

    [Fact]
    public void Control_instructions_match_the_host()
    {
        var random = new Random(SimdOracle.Seed(50));
        var cases = new List<SimdCase>();
        foreach (var (name, body, ignore, length) in s_forms)
        {
            for (int k = 0; k < CasesPerForm; k++)
            {
                var c = new SimdCase($"{name} #{k}", body(), State(random, pending: k % 3 == 0));
                if (length > 0)
                    c.Ignore.Add((Snippet.MemoryArea + 16 + ignore, length));
                if (name == "fxsave")
                    c.Ignore.Add((Snippet.MemoryArea + 16 + 28, 4)); // MXCSR_MASK: the AMD host also reports MM (bit 17)
                cases.Add(c);
            }
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    // Random x87 state; the memory at [rbp+16] holds a plausible environment / saved state (CW, SW, tags, registers).
    private static byte[] State(Random random, bool pending)
    {
        byte[] bytes = X87Tests.State(random);
        var state = new SimdState(random);
        bytes.CopyTo(state.Bytes, 0);
        var values = new X87Values(random);
        ushort cw = values.ControlWord();
        int flags = random.Next(64);
        if (!pending)
            flags &= cw & 0x3F;
        int es = (flags & ~cw & 0x3F) != 0 && random.Next(4) != 0 ? 0x8080 : 0;
        ushort sw = (ushort)(flags | es | (random.Next(8) << 11) | (random.Next(16) << 8 & 0x0700) | (random.Next(2) << 14));
        state.Fcw(cw).Fsw(sw);
        // A 28-byte environment followed by registers (FRSTOR, FLDENV), or an FXSAVE image (FXRSTOR): CW, SW, tags first.
        ushort memoryCw = (ushort)(values.ControlWord() | (random.Next(8) == 0 ? random.Next(0x10000) & 0xF0C0 : 0));
        ushort memorySw = (ushort)((random.Next(64) & memoryCw) | (random.Next(8) << 11) | (random.Next(16) << 8 & 0x0700));
        ushort tags = (ushort)random.Next(0x10000);
        state.Memory(16, memoryCw | ((ulong)memorySw << 16) | ((ulong)tags << 32) | ((ulong)random.Next(0x10000) << 48));
        state.Memory(24, (ulong)random.NextInt64() & 0x0000_FFFF_0000_FFFF);
        for (int i = 0; i < 8; i++)
        {
            (ulong m, ushort se) = values.Next();
            state.Memory(32 + 10 * i, m);
            state.Bytes[Snippet.MemoryArea + 40 + 10 * i] = (byte)se;
            state.Bytes[Snippet.MemoryArea + 41 + 10 * i] = (byte)(se >> 8);
        }
        // For the FXRSTOR form, MXCSR at +24 of the image must be valid.
        state.Bytes[Snippet.MemoryArea + 16 + 24] = 0x80;
        state.Bytes[Snippet.MemoryArea + 16 + 25] = 0x1F;
        state.Bytes[Snippet.MemoryArea + 16 + 26] = 0;
        state.Bytes[Snippet.MemoryArea + 16 + 27] = 0;
        return state.Bytes;
    }
}
