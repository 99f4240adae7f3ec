using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// Test code that runs unchanged on the host CPU and on the software CPU: a
/// prologue loads the x87/SSE state (FXRSTOR64), RAX, RBX, RCX, RDX, R8,
/// R9 and the arithmetic flags from a state block at RDI and points RBP at
/// the block's memory area; the body under test follows; the epilogue
/// stores the flags, the registers and the state (FXSAVE64) back. The host
/// calls it as a function (it ends with RET), the guest runs it to HLT.
/// </summary>
internal static class Snippet
{
    // The state block.
    public const int Size = 1024;
    public const int Fx = 0, Rax = 512, Rbx = 520, Rcx = 528, Rdx = 536, FlagsIn = 544, FlagsOut = 552, R8 = 560, R9 = 568;
    public const int MemoryArea = 640, MemorySize = Size - MemoryArea;

    // In the FXSAVE image.
    public const int Fcw = 0, Fsw = 2, Ftw = 4, Mxcsr = 24, St0 = 32, Xmm0 = 160;

    private static readonly byte[] s_prologue = BuildPrologue();
    private static readonly byte[] s_epilogue = BuildEpilogue();

    private static byte[] BuildPrologue()
    {
        var a = new Assembler(64);
        a.push(rbx);
        a.push(rbp);
        a.fxrstor64(__[rdi]);
        a.mov(rax, __qword_ptr[rdi + Rax]);
        a.mov(rbx, __qword_ptr[rdi + Rbx]);
        a.mov(rcx, __qword_ptr[rdi + Rcx]);
        a.mov(rdx, __qword_ptr[rdi + Rdx]);
        a.mov(r8, __qword_ptr[rdi + R8]);
        a.mov(r9, __qword_ptr[rdi + R9]);
        a.push(__qword_ptr[rdi + FlagsIn]);
        a.popfq();
        a.lea(rbp, __[rdi + MemoryArea]);
        return SimdGuest.Assemble(a, 0);
    }

    private static byte[] BuildEpilogue()
    {
        var a = new Assembler(64);
        a.pushfq();
        a.pop(__qword_ptr[rdi + FlagsOut]);
        a.mov(__qword_ptr[rdi + Rax], rax);
        a.mov(__qword_ptr[rdi + Rbx], rbx);
        a.mov(__qword_ptr[rdi + Rcx], rcx);
        a.mov(__qword_ptr[rdi + Rdx], rdx);
        a.mov(__qword_ptr[rdi + R8], r8);
        a.mov(__qword_ptr[rdi + R9], r9);
        a.fxsave64(__[rdi]);
        a.pop(rbp);
        a.pop(rbx);
        return SimdGuest.Assemble(a, 0);
    }

    /// <summary>The whole snippet around <paramref name="body"/>; the last byte is RET (0xC3) or HLT (0xF4).</summary>
    public static byte[] Build(ReadOnlySpan<byte> body, bool host)
    {
        var code = new byte[s_prologue.Length + body.Length + s_epilogue.Length + 1];
        s_prologue.CopyTo(code, 0);
        body.CopyTo(code.AsSpan(s_prologue.Length));
        s_epilogue.CopyTo(code, s_prologue.Length + body.Length);
        code[^1] = host ? (byte)0xC3 : (byte)0xF4;
        return code;
    }

    /// <summary>Encodes instructions (position independent: no branches, no RIP-relative operands).</summary>
    public static byte[] Encode(params Instruction[] instructions)
    {
        var stream = new MemoryStream();
        var writer = new StreamCodeWriter(stream);
        var encoder = Encoder.Create(64, writer);
        foreach (Instruction i in instructions)
            encoder.Encode(i, 0);
        return stream.ToArray();
    }

    public static byte[] Assemble(Action<Assembler> body)
    {
        var a = new Assembler(64);
        body(a);
        return SimdGuest.Assemble(a, 0);
    }

    /// <summary>A state block with the default x87/SSE state (FNINIT, MXCSR 0x1F80) and zeroed registers.</summary>
    public static byte[] DefaultState()
    {
        var s = new byte[Size];
        BitConverter.TryWriteBytes(s.AsSpan(Fcw), (ushort)0x37F);
        BitConverter.TryWriteBytes(s.AsSpan(Mxcsr), 0x1F80u);
        BitConverter.TryWriteBytes(s.AsSpan(FlagsIn), 2UL);
        return s;
    }
}
