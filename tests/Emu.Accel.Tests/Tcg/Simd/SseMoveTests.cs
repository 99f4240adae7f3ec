using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emu.Accel.Tests.Tcg.Simd;

public sealed class SseMoveTests
{
    private static readonly Code[] s_moves =
    {
        Code.Movaps_xmm_xmmm128, Code.Movaps_xmmm128_xmm, Code.Movapd_xmm_xmmm128, Code.Movapd_xmmm128_xmm,
        Code.Movdqa_xmm_xmmm128, Code.Movdqa_xmmm128_xmm, Code.Movups_xmm_xmmm128, Code.Movups_xmmm128_xmm,
        Code.Movupd_xmm_xmmm128, Code.Movupd_xmmm128_xmm, Code.Movdqu_xmm_xmmm128, Code.Movdqu_xmmm128_xmm,
        Code.Movss_xmm_xmmm32, Code.Movss_xmmm32_xmm, Code.Movsd_xmm_xmmm64, Code.Movsd_xmmm64_xmm,
        Code.Movq_xmm_xmmm64, Code.Movq_xmmm64_xmm,
    };

    [Fact]
    public void Moves_between_registers_and_memory_match_the_host()
    {
        var random = new Random(1);
        var cases = new List<SimdCase>();
        foreach (Code code in s_moves)
        {
            foreach (int displacement in new[] { 0, 16, 8, 4, 1 })
            {
                bool load = code.ToString().Contains("_xmm_xmmm");
                var memory = new MemoryOperand(Register.RBP, displacement);
                Instruction i = load ? Instruction.Create(code, Register.XMM3, memory) : Instruction.Create(code, memory, Register.XMM5);
                cases.Add(new SimdCase($"{code} [rbp+{displacement}]", Snippet.Encode(i), new SimdState(random).RandomFill().Bytes));
            }
            Instruction r = Instruction.Create(code, Register.XMM2, Register.XMM9);
            cases.Add(new SimdCase($"{code} reg", Snippet.Encode(r), new SimdState(random).RandomFill().Bytes));
        }
        foreach (var (name, body) in new (string, Action<Assembler>)[]
        {
            ("movd xmm,r32", a => a.movd(xmm4, eax)), ("movq xmm,r64", a => a.movq(xmm4, rbx)),
            ("movd r32,xmm", a => a.movd(ecx, xmm7)), ("movq r64,xmm", a => a.movq(rdx, xmm7)),
            ("movd xmm,m32", a => a.movd(xmm1, __dword_ptr[rbp + 12])), ("movd m32,xmm", a => a.movd(__dword_ptr[rbp + 12], xmm1)),
            ("movhps load", a => a.movhps(xmm1, __qword_ptr[rbp + 3])), ("movhps store", a => a.movhps(__qword_ptr[rbp + 3], xmm1)),
            ("movlps load", a => a.movlps(xmm1, __qword_ptr[rbp + 3])), ("movlps store", a => a.movlps(__qword_ptr[rbp + 3], xmm1)),
            ("movhpd load", a => a.movhpd(xmm1, __qword_ptr[rbp + 3])), ("movlpd store", a => a.movlpd(__qword_ptr[rbp + 3], xmm1)),
            ("movhlps", a => a.movhlps(xmm1, xmm12)), ("movlhps", a => a.movlhps(xmm12, xmm1)),
            ("movmskps", a => a.movmskps(eax, xmm3)), ("movmskpd", a => a.movmskpd(r8d, xmm3)), ("pmovmskb", a => a.pmovmskb(ecx, xmm15)),
            ("movnti", a => a.movnti(__qword_ptr[rbp + 40], rax)), ("movntdq", a => a.movntdq(__[rbp + 32], xmm2)),
            ("movntps misaligned", a => a.movntps(__[rbp + 8], xmm2)),
            ("maskmovdqu", a => { a.lea(rdi, __[rdi + Snippet.MemoryArea + 16]); a.maskmovdqu(xmm1, xmm2); a.lea(rdi, __[rdi - Snippet.MemoryArea - 16]); }),
            ("stmxcsr", a => a.stmxcsr(__dword_ptr[rbp + 4])), ("ldmxcsr", a => { a.mov(__dword_ptr[rbp], 0x7F80); a.ldmxcsr(__dword_ptr[rbp]); }),
            ("ldmxcsr reserved", a => { a.mov(__dword_ptr[rbp], 0x10000); a.ldmxcsr(__dword_ptr[rbp]); }),
            ("fxsave misaligned", a => a.fxsave(__[rbp + 8])),
        })
        {
            for (int k = 0; k < 4; k++)
                cases.Add(new SimdCase(name, Snippet.Assemble(body), new SimdState(random).RandomFill().Bytes));
        }
        SimdOracle.AssertSameAsHost(cases);
    }
}
