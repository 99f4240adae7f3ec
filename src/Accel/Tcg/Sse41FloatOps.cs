using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE4.1 floating point (Intel SDM vol. 2): ROUNDPS/PD/SS/SD (to an
/// integral value with imm8's rounding or MXCSR's, the precision exception
/// suppressible) and the dot products DPPS/DPPD (products and sums each
/// rounded, in the SDM's order).
/// </summary>
internal static class Sse41FloatOps
{
    public static void Roundps(X86Cpu cpu, ref DecodedOp op) => Round(cpu, ref op, isDouble: false, scalar: false);
    public static void Roundpd(X86Cpu cpu, ref DecodedOp op) => Round(cpu, ref op, isDouble: true, scalar: false);
    public static void Roundss(X86Cpu cpu, ref DecodedOp op) => Round(cpu, ref op, isDouble: false, scalar: true);
    public static void Roundsd(X86Cpu cpu, ref DecodedOp op) => Round(cpu, ref op, isDouble: true, scalar: true);

    private static void Round(X86Cpu cpu, ref DecodedOp op, bool isDouble, bool scalar)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        int imm = op.I.Immediate8;
        int rounding = (imm & 4) != 0 ? env.Rounding : imm & 3;
        bool signalInexact = (imm & 8) == 0;
        Vector128<byte> b;
        if (!scalar)
            b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        else
            b = Vector128.CreateScalar(isDouble ? SseOperands.Source64(cpu, ref op, 1) : SseOperands.Source32(cpu, ref op, 1)).AsByte();
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = scalar ? dst : default;
        int count = scalar ? 1 : isDouble ? 2 : 4;
        for (int i = 0; i < count; i++)
        {
            if (isDouble)
            {
                FloatParts x = SoftFloat.UnpackDouble(SseLanes.U64(ref b, i), env.DenormalsAreZero);
                SseLanes.U64(ref r, i) = SoftFloat.PackDouble(SoftFloat.RoundToIntegral(ref env, x, rounding, signalInexact));
            }
            else
            {
                FloatParts x = SoftFloat.UnpackSingle(SseLanes.U32(ref b, i), env.DenormalsAreZero);
                SseLanes.U32(ref r, i) = SoftFloat.PackSingle(SoftFloat.RoundToIntegral(ref env, x, rounding, signalInexact));
            }
        }
        SseOperands.CommitFlags(cpu, ref env);
        dst = r;
    }

    /// <summary>
    /// DPPS: the products imm8[7:4] selects (the others +0.0), summed as
    /// (p0 + p1) + (p2 + p3), written to the elements imm8[3:0] selects (the
    /// others +0.0).
    /// </summary>
    public static void Dpps(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> a = dst;
        int imm = op.I.Immediate8;
        // Three steps (the products, the two pair sums, the final sum); an unmasked exception in one stops
        // the instruction with the flags of the steps so far (as the reference hardware reports them).
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        Span<uint> p = stackalloc uint[4];
        for (int i = 0; i < 4; i++)
            p[i] = (imm & (0x10 << i)) != 0 ? SseFloatOps.Single(SseFloatOps.Mul, ref env, SseLanes.U32(ref a, i), SseLanes.U32(ref b, i)) : 0;
        SseOperands.CommitFlags(cpu, ref env);
        env.Flags = 0;
        uint low = SseFloatOps.Single(SseFloatOps.Add, ref env, p[0], p[1]);
        uint high = SseFloatOps.Single(SseFloatOps.Add, ref env, p[2], p[3]);
        SseOperands.CommitFlags(cpu, ref env);
        env.Flags = 0;
        uint sum = SseFloatOps.Single(SseFloatOps.Add, ref env, low, high);
        SseOperands.CommitFlags(cpu, ref env);
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = (imm & (1 << i)) != 0 ? sum : 0;
        dst = r;
    }

    /// <summary>DPPD: the products imm8[5:4] selects summed, written to the elements imm8[1:0] selects.</summary>
    public static void Dppd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> a = dst;
        int imm = op.I.Immediate8;
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong p0 = (imm & 0x10) != 0 ? SseFloatOps.Double(SseFloatOps.Mul, ref env, SseLanes.U64(ref a, 0), SseLanes.U64(ref b, 0)) : 0;
        ulong p1 = (imm & 0x20) != 0 ? SseFloatOps.Double(SseFloatOps.Mul, ref env, SseLanes.U64(ref a, 1), SseLanes.U64(ref b, 1)) : 0;
        SseOperands.CommitFlags(cpu, ref env);
        env.Flags = 0;
        ulong sum = SseFloatOps.Double(SseFloatOps.Add, ref env, p0, p1);
        SseOperands.CommitFlags(cpu, ref env);
        Vector128<byte> r = default;
        SseLanes.U64(ref r, 0) = (imm & 1) != 0 ? sum : 0;
        SseLanes.U64(ref r, 1) = (imm & 2) != 0 ? sum : 0;
        dst = r;
    }
}
