using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE4.1 data instructions (Intel SDM vol. 2): PTEST, the blends
/// (PBLENDVB/BLENDVPS/BLENDVPD with XMM0 as the mask, PBLENDW/BLENDPS/BLENDPD
/// with an immediate), element insertion and extraction (PINSRB/D/Q,
/// PEXTRB/D/Q, EXTRACTPS, INSERTPS), the sign and zero extensions
/// PMOVSX/PMOVZX, PHMINPOSUW and MPSADBW. The element-wise ones (PMINSB,
/// PMULLD, PCMPEQQ...) share <see cref="SseIntegerOps"/>.
/// </summary>
internal static class Sse41Ops
{
    /// <summary>PTEST: ZF = (a AND b) is zero, CF = (NOT a AND b) is zero; AF, OF, PF, SF cleared.</summary>
    public static void Ptest(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        Vector128<byte> a = SseOperands.Xmm(cpu, op.I.Op0Register);
        ulong flags = 0;
        if ((a & b) == Vector128<byte>.Zero)
            flags |= X86Cpu.FlagZf;
        if (Vector128.AndNot(b, a) == Vector128<byte>.Zero)
            flags |= X86Cpu.FlagCf;
        cpu.SetArithmeticFlags(flags);
    }

    // --- Blends ---

    /// <summary>PBLENDVB / BLENDVPS / BLENDVPD: each element from the source where XMM0's element has its top bit set.</summary>
    public static void Pblendvb(X86Cpu cpu, ref DecodedOp op) => VariableBlend(cpu, ref op, 1);
    public static void Blendvps(X86Cpu cpu, ref DecodedOp op) => VariableBlend(cpu, ref op, 4);
    public static void Blendvpd(X86Cpu cpu, ref DecodedOp op) => VariableBlend(cpu, ref op, 8);

    private static void VariableBlend(X86Cpu cpu, ref DecodedOp op, int size)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        Vector128<byte> mask = cpu.Fpu.XmmVector(0);
        // Spread each element's top bit over the element.
        Vector128<byte> select = size switch
        {
            1 => Vector128.ShiftRightArithmetic(mask.AsSByte(), 7).AsByte(),
            4 => Vector128.ShiftRightArithmetic(mask.AsInt32(), 31).AsByte(),
            _ => Vector128.ShiftRightArithmetic(mask.AsInt64(), 63).AsByte(),
        };
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        dst = Vector128.ConditionalSelect(select, b, dst);
    }

    /// <summary>PBLENDW / BLENDPS / BLENDPD: element i from the source when imm8 bit i is set.</summary>
    public static void Pblendw(X86Cpu cpu, ref DecodedOp op) => ImmediateBlend(cpu, ref op, 2);
    public static void Blendps(X86Cpu cpu, ref DecodedOp op) => ImmediateBlend(cpu, ref op, 4);
    public static void Blendpd(X86Cpu cpu, ref DecodedOp op) => ImmediateBlend(cpu, ref op, 8);

    private static void ImmediateBlend(X86Cpu cpu, ref DecodedOp op, int size)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        int imm = op.I.Immediate8;
        for (int i = 0; i < 16 / size; i++)
        {
            if ((imm & (1 << i)) == 0)
                continue;
            for (int k = 0; k < size; k++)
                SseLanes.U8(ref r, i * size + k) = SseLanes.U8(ref b, i * size + k);
        }
        dst = r;
    }

    // --- Extraction and insertion ---

    public static void Pextrb(X86Cpu cpu, ref DecodedOp op) => Extract(cpu, ref op, 1);
    public static void Pextrd(X86Cpu cpu, ref DecodedOp op) => Extract(cpu, ref op, 4);
    public static void Pextrq(X86Cpu cpu, ref DecodedOp op) => Extract(cpu, ref op, 8);
    public static void Extractps(X86Cpu cpu, ref DecodedOp op) => Extract(cpu, ref op, 4);

    /// <summary>The element imm8 selects, zero-extended into a general register or stored at its own size.</summary>
    private static void Extract(X86Cpu cpu, ref DecodedOp op, int size)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> v = SseOperands.Xmm(cpu, op.I.Op1Register);
        int index = op.I.Immediate8 & (16 / size - 1);
        ulong value = size switch
        {
            1 => SseLanes.U8(ref v, index),
            4 => SseLanes.U32(ref v, index),
            _ => SseLanes.U64(ref v, index),
        };
        if (op.I.Op0Kind == OpKind.Register)
            cpu.WriteGpr(op.I.Op0Register, value);
        else
            cpu.Write(cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size, value);
    }

    public static void Pinsrb(X86Cpu cpu, ref DecodedOp op) => Insert(cpu, ref op, 1);
    public static void Pinsrd(X86Cpu cpu, ref DecodedOp op) => Insert(cpu, ref op, 4);
    public static void Pinsrq(X86Cpu cpu, ref DecodedOp op) => Insert(cpu, ref op, 8);

    private static void Insert(X86Cpu cpu, ref DecodedOp op, int size)
    {
        SseOperands.CheckSse(cpu);
        ulong value = SseOperands.SourceSized(cpu, ref op, 1, size);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        int index = op.I.Immediate8 & (16 / size - 1);
        switch (size)
        {
            case 1:
                SseLanes.U8(ref r, index) = (byte)value;
                break;
            case 4:
                SseLanes.U32(ref r, index) = (uint)value;
                break;
            default:
                SseLanes.U64(ref r, index) = value;
                break;
        }
        dst = r;
    }

    /// <summary>
    /// INSERTPS: a single (from the source register's element imm8[7:6], or
    /// m32) into the destination's element imm8[5:4]; then the elements imm8[3:0]
    /// selects are zeroed.
    /// </summary>
    public static void Insertps(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        int imm = op.I.Immediate8;
        uint value;
        if (op.I.Op1Kind == OpKind.Register)
        {
            Vector128<byte> s = SseOperands.Xmm(cpu, op.I.Op1Register);
            value = SseLanes.U32(ref s, (imm >> 6) & 3);
        }
        else
        {
            value = (uint)cpu.Read(cpu.MemoryAddress(ref op, 4, MemoryAccess.Read), 4);
        }
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        SseLanes.U32(ref r, (imm >> 4) & 3) = value;
        for (int i = 0; i < 4; i++)
        {
            if ((imm & (1 << i)) != 0)
                SseLanes.U32(ref r, i) = 0;
        }
        dst = r;
    }

    // --- PMOVSX / PMOVZX: the low elements of the source widened ---

    public static void Pmovsxbw(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 2, signed: true);
    public static void Pmovsxbd(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 4, signed: true);
    public static void Pmovsxbq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 8, signed: true);
    public static void Pmovsxwd(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 2, 4, signed: true);
    public static void Pmovsxwq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 2, 8, signed: true);
    public static void Pmovsxdq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 4, 8, signed: true);
    public static void Pmovzxbw(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 2, signed: false);
    public static void Pmovzxbd(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 4, signed: false);
    public static void Pmovzxbq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 1, 8, signed: false);
    public static void Pmovzxwd(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 2, 4, signed: false);
    public static void Pmovzxwq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 2, 8, signed: false);
    public static void Pmovzxdq(X86Cpu cpu, ref DecodedOp op) => Widen(cpu, ref op, 4, 8, signed: false);

    private static void Widen(X86Cpu cpu, ref DecodedOp op, int from, int to, bool signed)
    {
        SseOperands.CheckSse(cpu);
        int count = 16 / to;
        ulong source = op.I.Op1Kind == OpKind.Register
            ? cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op1Register))
            : cpu.Read(cpu.MemoryAddress(ref op, count * from, MemoryAccess.Read), count * from);
        Vector128<byte> r = default;
        int bits = from * 8;
        for (int i = 0; i < count; i++)
        {
            ulong element = (source >> (bits * i)) & ((1UL << bits) - 1);
            if (signed)
                element = (ulong)X86Cpu.SignExtend(element, from);
            switch (to)
            {
                case 2:
                    SseLanes.U16(ref r, i) = (ushort)element;
                    break;
                case 4:
                    SseLanes.U32(ref r, i) = (uint)element;
                    break;
                default:
                    SseLanes.U64(ref r, i) = element;
                    break;
            }
        }
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>PHMINPOSUW: the smallest unsigned word of the source in word 0, its index (the first if repeated) in bits 18:16, the rest zero.</summary>
    public static void Phminposuw(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        int index = 0;
        ushort min = SseLanes.U16(ref b, 0);
        for (int i = 1; i < 8; i++)
        {
            if (SseLanes.U16(ref b, i) < min)
            {
                min = SseLanes.U16(ref b, i);
                index = i;
            }
        }
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = min | ((ulong)index << 16);
        cpu.Fpu.XmmHigh(d) = 0;
    }

    /// <summary>
    /// MPSADBW: eight sums of absolute differences between four bytes of the
    /// source (at 4 * imm8[1:0]) and the destination's bytes at 4 * imm8[2] + i, i = 0..7.
    /// </summary>
    public static void Mpsadbw(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> a = dst, r = default;
        int imm = op.I.Immediate8;
        int sourceOffset = (imm & 3) * 4, destinationOffset = ((imm >> 2) & 1) * 4;
        for (int i = 0; i < 8; i++)
        {
            int sum = 0;
            for (int k = 0; k < 4; k++)
                sum += Math.Abs(SseLanes.U8(ref a, destinationOffset + i + k) - SseLanes.U8(ref b, sourceOffset + k));
            SseLanes.U16(ref r, i) = (ushort)sum;
        }
        dst = r;
    }
}
