using System.Buffers.Binary;
using Emu.Accel.Tcg;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// What only a kernel sees, so the host cannot be the reference: CR0.EM,
/// CR0.TS with CR0.MP, CR0.NE, CR4.OSFXSR and CR4.OSXMMEXCPT (SDM vol. 3A,
/// 2.5 table 2-2, and 13.1-13.4); the x87 instruction and data pointers and
/// opcode an exception handler reads; the legacy FXSAVE format; and that
/// executing these instructions allocates nothing.
/// </summary>
public sealed class SimdSystemTests
{
    private static int Vector(Action<Assembler> body, Action<X86Cpu>? setup = null, byte[]? state = null)
    {
        var c = new SimdCase("guest", Snippet.Assemble(body), state ?? Snippet.DefaultState()) { Setup = setup };
        SimdOracle.RunGuest(new[] { c });
        return c.GuestVector;
    }

    private const int NoException = -1, Ud = 6, Nm = 7, Gp = 13, Mf = 16, Xm = 19;

    private static void Clear(X86Cpu cpu, ulong cr0 = 0, ulong cr4 = 0)
    {
        cpu.Cr0 &= ~cr0;
        cpu.Cr4 &= ~cr4;
    }

    private static void Set(X86Cpu cpu, ulong cr0 = 0, ulong cr4 = 0)
    {
        cpu.Cr0 |= cr0;
        cpu.Cr4 |= cr4;
    }

    [Fact]
    public void Task_switched_makes_x87_mmx_and_sse_instructions_fault_with_nm()
    {
        Action<X86Cpu> ts = c => Set(c, cr0: X86Cpu.Cr0Ts);
        // The snippet's own FXRSTOR would fault first: run the instruction after clearing TS... so set TS in the body's state instead.
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fld1(), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.addps(xmm0, xmm1), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.paddb(mm0, mm1), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fnstsw(ax), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fxsave(__[rbp + 16]), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.ldmxcsr(__dword_ptr[rbp]), ts));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.emms(), ts));
        // WAIT/FWAIT: #NM only with both TS and MP.
        Assert.Equal(Nm, VectorAfterPrologue(a => a.wait(), ts));
        Assert.Equal(NoException, VectorAfterPrologue(a => a.wait(), c => { ts(c); Clear(c, cr0: X86Cpu.Cr0Mp); }));
    }

    [Fact]
    public void Emulation_makes_x87_fault_with_nm_and_mmx_and_sse_with_ud()
    {
        Action<X86Cpu> em = c => Set(c, cr0: X86Cpu.Cr0Em);
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fld1(), em));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fninit(), em));
        Assert.Equal(Nm, VectorAfterPrologue(a => a.fxsave(__[rbp + 16]), em));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.paddb(mm0, mm1), em));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.emms(), em));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.addps(xmm0, xmm1), em));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.movdqa(xmm0, xmm1), em));
        Assert.Equal(NoException, VectorAfterPrologue(a => a.wait(), em));
    }

    [Fact]
    public void Without_osfxsr_sse_is_undefined_and_mmx_still_runs()
    {
        Action<X86Cpu> noFxsr = c => Clear(c, cr4: X86Cpu.Cr4Osfxsr);
        Assert.Equal(Ud, VectorAfterPrologue(a => a.addps(xmm0, xmm1), noFxsr));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.pxor(xmm0, xmm1), noFxsr));
        Assert.Equal(Ud, VectorAfterPrologue(a => a.ldmxcsr(__dword_ptr[rbp]), noFxsr));
        Assert.Equal(NoException, VectorAfterPrologue(a => a.pxor(mm0, mm1), noFxsr));
        Assert.Equal(NoException, VectorAfterPrologue(a => a.fld1(), noFxsr));
    }

    [Fact]
    public void An_unmasked_sse_exception_is_xm_with_osxmmexcpt_and_ud_without()
    {
        byte[] state = new SimdState(new Random(1)).Mxcsr(0x1F80 & ~0x200u).Xmm(0, 0x3F80_0000, 0).Xmm(1, 0, 0).Bytes; // ZE unmasked; 1/0
        Assert.Equal(Xm, Vector(a => a.divss(xmm0, xmm1), state: state));
        Assert.Equal(Ud, Vector(a => a.divss(xmm0, xmm1), c => Clear(c, cr4: X86Cpu.Cr4Osxmmexcpt), state));
    }

    [Fact]
    public void A_pending_x87_exception_is_mf_with_ne_and_stays_pending_without()
    {
        byte[] state = new SimdState(new Random(1)).Fcw(0x37B).Fsw(0x0084).Bytes; // ZE unmasked and flagged
        Assert.Equal(Mf, Vector(a => a.wait(), state: state));
        Assert.Equal(Mf, Vector(a => a.fld1(), state: state));
        Assert.Equal(Mf, Vector(a => a.paddb(mm0, mm1), state: state));
        Assert.Equal(NoException, Vector(a => a.fnstsw(ax), state: state));
        Assert.Equal(NoException, Vector(a => a.addps(xmm0, xmm1), state: state));
        Assert.Equal(NoException, Vector(a => a.wait(), c => Clear(c, cr0: X86Cpu.Cr0Ne), state));
    }

    /// <summary>Runs a body whose CR0/CR4 change takes effect after the snippet's prologue (whose FXRSTOR must still work).</summary>
    private static int VectorAfterPrologue(Action<Assembler> body, Action<X86Cpu> setup)
    {
        // The prologue loads the default state; the change is applied by a guest-only handler of INT3... simpler:
        // apply the change, and let a prologue that cannot run under it be skipped by entering at the body.
        var c = new SimdCase("guest", Snippet.Assemble(body), Snippet.DefaultState()) { Setup = setup };
        SimdOracle.RunGuestBodyOnly(c);
        return c.GuestVector;
    }

    [Fact]
    public void An_exception_handler_finds_the_faulting_instruction_its_operand_and_opcode()
    {
        using var g = new SimdGuest();
        ulong code = SimdGuest.CodeAddress, data = SimdGuest.StateAddress;
        var a = new Assembler(64);
        a.fninit();
        a.mov(__word_ptr[rdi], 0x37B); // unmask ZE
        a.fldcw(__word_ptr[rdi]);
        a.fld1();
        Label faulting = a.CreateLabel();
        a.Label(ref faulting);
        a.fdiv(__dword_ptr[rdi + 0x40]); // 1 / +0.0f
        a.fnstenv(__[rdi + 0x80]);
        a.fxsave64(__[rdi + 0x100]);
        a.fxsave(__[rdi + 0x300]);
        a.hlt();
        var stream = new MemoryStream();
        AssemblerResult result = a.Assemble(new StreamCodeWriter(stream), code, BlockEncoderOptions.ReturnNewInstructionOffsets);
        g.WriteBytes(code, stream.ToArray());
        g.Write64(data + 0x40, 0);
        Assert.Equal(NoException, g.Run(code));
        ulong fdivAddress = result.GetLabelRIP(faulting);
        Span<byte> env = g.Memory(data + 0x80, 28);
        Assert.Equal(0x37B, BinaryPrimitives.ReadUInt16LittleEndian(env)); // the control word before FNSTENV masked everything
        Assert.Equal(FpuState.Ze | FpuState.Es | FpuState.Busy, BinaryPrimitives.ReadUInt16LittleEndian(env[4..]) & 0x80FF);
        Assert.Equal((uint)fdivAddress, BinaryPrimitives.ReadUInt32LittleEndian(env[12..]));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(env[16..])); // FCS
        Assert.Equal(0x0077, BinaryPrimitives.ReadUInt16LittleEndian(env[18..])); // FOP: D8 /6 with ModR/M 0x77 (disp8 [rdi])
        Assert.Equal((uint)(data + 0x40), BinaryPrimitives.ReadUInt32LittleEndian(env[20..]));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(env[24..])); // FDS
        Span<byte> fx64 = g.Memory(data + 0x100, 32);
        Assert.Equal(0x0077, BinaryPrimitives.ReadUInt16LittleEndian(fx64[6..]));
        Assert.Equal(fdivAddress, BinaryPrimitives.ReadUInt64LittleEndian(fx64[8..]));
        Assert.Equal(data + 0x40, BinaryPrimitives.ReadUInt64LittleEndian(fx64[16..]));
        Span<byte> fx32 = g.Memory(data + 0x300, 32);
        Assert.Equal((uint)fdivAddress, BinaryPrimitives.ReadUInt32LittleEndian(fx32[8..]));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(fx32[12..]));
        Assert.Equal((uint)(data + 0x40), BinaryPrimitives.ReadUInt32LittleEndian(fx32[16..]));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(fx32[20..]));
        Assert.Equal(FpuState.MxcsrMask, BinaryPrimitives.ReadUInt32LittleEndian(fx32[28..]));
    }

    [Fact]
    public void String_movsd_and_cmpsd_still_work_beside_their_sse_namesakes()
    {
        using var g = new SimdGuest();
        ulong code = SimdGuest.CodeAddress, data = SimdGuest.StateAddress;
        var a = new Assembler(64);
        a.lea(rsi, __[rdi + 0x40]);
        a.lea(rdi, __[rdi + 0x80]);
        a.mov(ecx, 4);
        a.rep.movsd();
        a.lea(rsi, __[rdi - 0x50]); // back to 0x40
        a.lea(rdi, __[rdi - 0x10]); // 0x80
        a.mov(ecx, 4);
        a.repe.cmpsd();
        a.setne(al);
        a.mov(__byte_ptr[rdi + 0x100], al);
        a.hlt();
        g.WriteBytes(code, SimdGuest.Assemble(a, code));
        for (int i = 0; i < 4; i++)
            g.Write64(data + 0x40 + (ulong)i * 4, 0x1111_1111u * (uint)(i + 1));
        Assert.Equal(NoException, g.Run(code));
        Assert.Equal(g.Memory(data + 0x40, 16).ToArray(), g.Memory(data + 0x80, 16).ToArray());
        Assert.Equal(0, g.Memory(data + 0x190, 1)[0]);
    }

    [Fact]
    public void Executing_x87_mmx_and_sse_instructions_allocates_nothing()
    {
        using var g = new SimdGuest();
        ulong code = SimdGuest.CodeAddress;
        var a = new Assembler(64);
        Label loop = a.CreateLabel();
        a.mov(ecx, 2000);
        a.Label(ref loop);
        a.movdqu(xmm0, __[rdi]);
        a.paddb(xmm0, xmm1);
        a.pcmpeqb(xmm0, xmm2);
        a.pmovmskb(eax, xmm0);
        a.addps(xmm3, xmm4);
        a.mulsd(xmm5, xmm6);
        a.cvtsi2sd(xmm7, eax);
        a.cvttsd2si(eax, xmm7);
        a.ucomisd(xmm5, xmm6);
        a.movdqa(__[rdi + 0x40], xmm0);
        a.fld1();
        a.fadd(st0, st0);
        a.fsqrt();
        a.fstp(__qword_ptr[rdi + 0x80]);
        a.movq(mm0, mm1);
        a.paddw(mm0, mm1);
        a.emms();
        a.fxsave64(__[rdi + 0x100]);
        a.fxrstor64(__[rdi + 0x100]);
        a.dec(ecx);
        a.jnz(loop);
        a.hlt();
        g.WriteBytes(code, SimdGuest.Assemble(a, code));
        // Warm up first (blocks decoded, code jitted), then measure.
        long allocated = 0;
        for (int i = 0; i < 4; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int vector = g.Run(code);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(NoException, vector);
        }
        Assert.Equal(0, allocated);
    }
}
