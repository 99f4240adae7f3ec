using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE/SSE2 data movement (Intel SDM vol. 2): the 128-bit moves (aligned
/// ones #GP(0) on a misaligned memory operand), MOVSS/MOVSD, MOVD/MOVQ,
/// the half-register moves, the non-temporal stores (ordinary stores here),
/// MOVMSKPS/PD, PMOVMSKB, MASKMOVDQU/MASKMOVQ and MOVQ2DQ/MOVDQ2Q.
/// </summary>
internal static unsafe class SseMoveOps
{
    public static void MoveAligned(X86Cpu cpu, ref DecodedOp op) => Move128(cpu, ref op, aligned: true);

    public static void MoveUnaligned(X86Cpu cpu, ref DecodedOp op) => Move128(cpu, ref op, aligned: false);

    private static void Move128(X86Cpu cpu, ref DecodedOp op, bool aligned)
    {
        SseOperands.CheckSse(cpu);
        if (op.I.Op0Kind == OpKind.Register)
        {
            SseOperands.Xmm(cpu, op.I.Op0Register) = SseOperands.Source128(cpu, ref op, 1, aligned);
            return;
        }
        Vector128<byte> value = SseOperands.Xmm(cpu, op.I.Op1Register);
        SseOperands.Store128(cpu, SseOperands.Address(cpu, ref op, 16, MemoryAccess.Write, aligned), value);
    }

    /// <summary>MOVSS: register to register moves the low single; a load zeroes bits 127:32.</summary>
    public static void Movss(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        if (op.I.Op0Kind == OpKind.Register)
        {
            int d = SseOperands.Number(op.I.Op0Register);
            ref ulong low = ref cpu.Fpu.XmmLow(d);
            if (op.I.Op1Kind == OpKind.Register)
            {
                low = (low & ~0xFFFF_FFFFUL) | (uint)cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register));
                return;
            }
            uint value = (uint)cpu.Read(cpu.MemoryAddress(ref op, 4, MemoryAccess.Read), 4);
            low = value;
            cpu.Fpu.XmmHigh(d) = 0;
            return;
        }
        cpu.Write(cpu.MemoryAddress(ref op, 4, MemoryAccess.Write), 4, (uint)cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register)));
    }

    /// <summary>MOVSD (SSE2; the string MOVSD shares the mnemonic and goes to <see cref="StringOps.Movs"/>).</summary>
    public static void Movsd(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Code is not (Code.Movsd_xmm_xmmm64 or Code.Movsd_xmmm64_xmm))
        {
            StringOps.Movs(cpu, ref op);
            return;
        }
        SseOperands.CheckSse(cpu);
        if (op.I.Op0Kind == OpKind.Register)
        {
            int d = SseOperands.Number(op.I.Op0Register);
            if (op.I.Op1Kind == OpKind.Register)
            {
                cpu.Fpu.XmmLow(d) = cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register));
                return;
            }
            cpu.Fpu.XmmLow(d) = cpu.Read(cpu.MemoryAddress(ref op, 8, MemoryAccess.Read), 8);
            cpu.Fpu.XmmHigh(d) = 0;
            return;
        }
        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register)));
    }

    /// <summary>MOVD and MOVQ in all their forms (MMX, XMM, general registers, memory).</summary>
    public static void MovdMovq(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = cpu.Fpu;
        switch (op.I.Code)
        {
            case Code.Movd_mm_rm32:
                SseOperands.CheckMmx(cpu);
                f.WriteMmx(SseOperands.Number(op.I.Op0Register), SseOperands.Source32(cpu, ref op, 1));
                return;
            case Code.Movq_mm_rm64:
            case Code.Movq_mm_mmm64:
                SseOperands.CheckMmx(cpu);
                f.WriteMmx(SseOperands.Number(op.I.Op0Register), SseOperands.Source64(cpu, ref op, 1));
                return;
            case Code.Movd_rm32_mm:
                SseOperands.CheckMmx(cpu);
                cpu.WriteOperand(ref op, 0, 4, (uint)f.ReadMmx(SseOperands.Number(op.I.Op1Register)));
                return;
            case Code.Movq_rm64_mm:
                SseOperands.CheckMmx(cpu);
                cpu.WriteOperand(ref op, 0, 8, f.ReadMmx(SseOperands.Number(op.I.Op1Register)));
                return;
            case Code.Movq_mmm64_mm:
                SseOperands.CheckMmx(cpu);
                {
                    ulong value = f.ReadMmx(SseOperands.Number(op.I.Op1Register));
                    if (op.I.Op0Kind == OpKind.Register)
                        f.WriteMmx(SseOperands.Number(op.I.Op0Register), value);
                    else
                        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, value);
                }
                return;
            case Code.Movd_xmm_rm32:
                SseOperands.CheckSse(cpu);
                {
                    ulong value = SseOperands.Source32(cpu, ref op, 1);
                    int d = SseOperands.Number(op.I.Op0Register);
                    f.XmmLow(d) = value;
                    f.XmmHigh(d) = 0;
                }
                return;
            case Code.Movq_xmm_rm64:
            case Code.Movq_xmm_xmmm64:
                SseOperands.CheckSse(cpu);
                {
                    ulong value = SseOperands.Source64(cpu, ref op, 1);
                    int d = SseOperands.Number(op.I.Op0Register);
                    f.XmmLow(d) = value;
                    f.XmmHigh(d) = 0;
                }
                return;
            case Code.Movd_rm32_xmm:
                SseOperands.CheckSse(cpu);
                cpu.WriteOperand(ref op, 0, 4, (uint)f.XmmLow(SseOperands.Number(op.I.Op1Register)));
                return;
            case Code.Movq_rm64_xmm:
                SseOperands.CheckSse(cpu);
                cpu.WriteOperand(ref op, 0, 8, f.XmmLow(SseOperands.Number(op.I.Op1Register)));
                return;
            case Code.Movq_xmmm64_xmm:
                SseOperands.CheckSse(cpu);
                {
                    ulong value = f.XmmLow(SseOperands.Number(op.I.Op1Register));
                    if (op.I.Op0Kind == OpKind.Register)
                    {
                        int d = SseOperands.Number(op.I.Op0Register);
                        f.XmmLow(d) = value;
                        f.XmmHigh(d) = 0;
                    }
                    else
                    {
                        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, value);
                    }
                }
                return;
            default:
                throw cpu.Unimplemented(in op.I);
        }
    }

    /// <summary>MOVLPS/MOVLPD (low quadword from or to m64) and MOVHLPS (low quadword from the source's high one).</summary>
    public static void MoveLow(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        FpuState f = cpu.Fpu;
        if (op.I.Op0Kind == OpKind.Register)
        {
            int d = SseOperands.Number(op.I.Op0Register);
            f.XmmLow(d) = op.I.Op1Kind == OpKind.Register
                ? f.XmmHigh(SseOperands.Number(op.I.Op1Register))
                : cpu.Read(cpu.MemoryAddress(ref op, 8, MemoryAccess.Read), 8);
            return;
        }
        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, f.XmmLow(SseOperands.Number(op.I.Op1Register)));
    }

    /// <summary>MOVHPS/MOVHPD (high quadword from or to m64) and MOVLHPS (high quadword from the source's low one).</summary>
    public static void MoveHigh(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        FpuState f = cpu.Fpu;
        if (op.I.Op0Kind == OpKind.Register)
        {
            int d = SseOperands.Number(op.I.Op0Register);
            f.XmmHigh(d) = op.I.Op1Kind == OpKind.Register
                ? f.XmmLow(SseOperands.Number(op.I.Op1Register))
                : cpu.Read(cpu.MemoryAddress(ref op, 8, MemoryAccess.Read), 8);
            return;
        }
        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, f.XmmHigh(SseOperands.Number(op.I.Op1Register)));
    }

    /// <summary>MOVNTI: a general register to memory (the non-temporal hint is ignored).</summary>
    public static void Movnti(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        cpu.Write(cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size, cpu.ReadGpr(op.I.Op1Register));
    }

    /// <summary>MOVNTQ m64, mm.</summary>
    public static void Movntq(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckMmx(cpu);
        cpu.Write(cpu.MemoryAddress(ref op, 8, MemoryAccess.Write), 8, cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op1Register)));
    }

    /// <summary>MOVMSKPS: the sign bits of the four singles.</summary>
    public static void Movmskps(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> v = SseOperands.Xmm(cpu, op.I.Op1Register);
        cpu.WriteGpr(op.I.Op0Register, v.AsUInt32().ExtractMostSignificantBits());
    }

    /// <summary>MOVMSKPD: the sign bits of the two doubles.</summary>
    public static void Movmskpd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> v = SseOperands.Xmm(cpu, op.I.Op1Register);
        cpu.WriteGpr(op.I.Op0Register, v.AsUInt64().ExtractMostSignificantBits());
    }

    /// <summary>PMOVMSKB: the top bit of each byte of an XMM or MMX register.</summary>
    public static void Pmovmskb(X86Cpu cpu, ref DecodedOp op)
    {
        Register src = op.I.Op1Register;
        uint mask;
        if (RegisterInfo.Kind(src) == RegisterKind.Mmx)
        {
            SseOperands.CheckMmx(cpu);
            mask = Vector128.CreateScalar(cpu.Fpu.ReadMmx(SseOperands.Number(src))).AsByte().ExtractMostSignificantBits() & 0xFF;
        }
        else
        {
            SseOperands.CheckSse(cpu);
            mask = SseOperands.Xmm(cpu, src).ExtractMostSignificantBits();
        }
        cpu.WriteGpr(op.I.Op0Register, mask);
    }

    /// <summary>
    /// MASKMOVDQU / MASKMOVQ: the bytes of the first source whose mask byte
    /// (second source) has its top bit set are stored at DS:rDI (segment
    /// overridable); the others are not written.
    /// </summary>
    public static void MaskedMove(X86Cpu cpu, ref DecodedOp op)
    {
        Vector128<byte> data, mask;
        int size;
        if (RegisterInfo.Kind(op.I.Op1Register) == RegisterKind.Mmx)
        {
            SseOperands.CheckMmx(cpu);
            data = Vector128.CreateScalar(cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op1Register))).AsByte();
            mask = Vector128.CreateScalar(cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op2Register))).AsByte();
            size = 8;
        }
        else
        {
            SseOperands.CheckSse(cpu);
            data = SseOperands.Xmm(cpu, op.I.Op1Register);
            mask = SseOperands.Xmm(cpu, op.I.Op2Register);
            size = 16;
        }
        uint bits = mask.ExtractMostSignificantBits();
        if (bits == 0)
            return;
        ulong offset = cpu.Rdi & op.AddressMask;
        ulong linear = cpu.Linear(op.Segment, offset, size, MemoryAccess.Write);
        cpu.ProbeWrite(linear);
        cpu.ProbeWrite(linear + (ulong)size - 1);
        for (int i = 0; i < size; i++)
        {
            if ((bits & (1u << i)) != 0)
                cpu.Write(linear + (ulong)i, 1, data.GetElement(i));
        }
    }

    /// <summary>MOVQ2DQ xmm, mm: the MMX register zero-extended.</summary>
    public static void Movq2dq(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSseAndMmx(cpu);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op1Register));
        cpu.Fpu.XmmHigh(d) = 0;
    }

    /// <summary>MOVDQ2Q mm, xmm: the low quadword.</summary>
    public static void Movdq2q(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSseAndMmx(cpu);
        cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register)));
    }
}
