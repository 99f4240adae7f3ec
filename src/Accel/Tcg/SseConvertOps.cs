using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE/SSE2 conversions (Intel SDM vol. 2, CVT*): between integers and
/// singles or doubles under MXCSR's rounding (the CVTT forms truncate), with
/// the integer indefinite for NaNs and out-of-range values, and between
/// singles and doubles; the MMX forms (CVTPI2PS ...) also put the x87 unit in
/// MMX state.
/// </summary>
internal static class SseConvertOps
{
    // --- Integer to floating point ---

    public static void Cvtsi2ss(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        long value = SignedSource(cpu, ref op);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        uint r = SoftFloat.PackSingle(SoftFloat.FromInt64(ref env, value, 24, SoftFloat.Single));
        SseOperands.CommitFlags(cpu, ref env);
        ref ulong low = ref cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register));
        low = (low & 0xFFFF_FFFF_0000_0000) | r;
    }

    public static void Cvtsi2sd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        long value = SignedSource(cpu, ref op);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r = SoftFloat.PackDouble(SoftFloat.FromInt64(ref env, value, 53, SoftFloat.Double));
        SseOperands.CommitFlags(cpu, ref env);
        cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register)) = r;
    }

    // r/m32 or r/m64 (REX.W), sign-extended.
    private static long SignedSource(X86Cpu cpu, ref DecodedOp op)
    {
        bool wide = op.I.Code is Code.Cvtsi2ss_xmm_rm64 or Code.Cvtsi2sd_xmm_rm64;
        ulong raw = SseOperands.SourceSized(cpu, ref op, 1, wide ? 8 : 4);
        return wide ? (long)raw : (int)raw;
    }

    public static void Cvtdq2ps(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = SoftFloat.PackSingle(SoftFloat.FromInt64(ref env, SseLanes.S32(ref b, i), 24, SoftFloat.Single));
        SseOperands.CommitFlags(cpu, ref env);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>CVTDQ2PD: two int32 (m64 or the low half) to doubles, exactly.</summary>
    public static void Cvtdq2pd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        ulong b = SseOperands.Source64(cpu, ref op, 1);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = IntToDouble((int)b);
        cpu.Fpu.XmmHigh(d) = IntToDouble((int)(b >> 32));
    }

    private static ulong IntToDouble(int value)
    {
        FloatEnv env = default;
        return SoftFloat.PackDouble(SoftFloat.FromInt64(ref env, value, 53, SoftFloat.Double));
    }

    /// <summary>CVTPI2PS xmm, mm/m64: two int32 to singles in the low half (the high half is kept).</summary>
    public static void Cvtpi2ps(X86Cpu cpu, ref DecodedOp op)
    {
        ulong b = MmxOrMemorySource(cpu, ref op);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        uint r0 = SoftFloat.PackSingle(SoftFloat.FromInt64(ref env, (int)b, 24, SoftFloat.Single));
        uint r1 = SoftFloat.PackSingle(SoftFloat.FromInt64(ref env, (int)(b >> 32), 24, SoftFloat.Single));
        SseOperands.CommitFlags(cpu, ref env);
        cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register)) = r0 | ((ulong)r1 << 32);
    }

    /// <summary>CVTPI2PD xmm, mm/m64: two int32 to doubles, exactly.</summary>
    public static void Cvtpi2pd(X86Cpu cpu, ref DecodedOp op)
    {
        ulong b = MmxOrMemorySource(cpu, ref op);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = IntToDouble((int)b);
        cpu.Fpu.XmmHigh(d) = IntToDouble((int)(b >> 32));
    }

    // An MMX register source makes the transition to MMX state; a memory source does not (SDM vol. 2, CVTPI2PD).
    private static ulong MmxOrMemorySource(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Op1Kind == OpKind.Register)
        {
            SseOperands.CheckSseAndMmx(cpu);
            return cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op1Register));
        }
        SseOperands.CheckSse(cpu);
        return cpu.Read(cpu.MemoryAddress(ref op, 8, MemoryAccess.Read), 8);
    }

    // --- Floating point to integer ---

    public static void Cvtss2si(X86Cpu cpu, ref DecodedOp op) => ScalarToInteger(cpu, ref op, isDouble: false, truncate: false);
    public static void Cvttss2si(X86Cpu cpu, ref DecodedOp op) => ScalarToInteger(cpu, ref op, isDouble: false, truncate: true);
    public static void Cvtsd2si(X86Cpu cpu, ref DecodedOp op) => ScalarToInteger(cpu, ref op, isDouble: true, truncate: false);
    public static void Cvttsd2si(X86Cpu cpu, ref DecodedOp op) => ScalarToInteger(cpu, ref op, isDouble: true, truncate: true);

    private static void ScalarToInteger(X86Cpu cpu, ref DecodedOp op, bool isDouble, bool truncate)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        int bits = RegisterInfo.Size(op.I.Op0Register) * 8;
        FloatParts a = isDouble
            ? SoftFloat.UnpackDouble(SseOperands.Source64(cpu, ref op, 1), env.DenormalsAreZero)
            : SoftFloat.UnpackSingle(SseOperands.Source32(cpu, ref op, 1), env.DenormalsAreZero);
        ulong r = SoftFloat.ToInteger(ref env, a, bits, truncate);
        SseOperands.CommitFlags(cpu, ref env);
        cpu.WriteGpr(op.I.Op0Register, r);
    }

    public static void Cvtps2dq(X86Cpu cpu, ref DecodedOp op) => PackedSingleToInt32(cpu, ref op, truncate: false);
    public static void Cvttps2dq(X86Cpu cpu, ref DecodedOp op) => PackedSingleToInt32(cpu, ref op, truncate: true);

    private static void PackedSingleToInt32(X86Cpu cpu, ref DecodedOp op, bool truncate)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = (uint)SoftFloat.ToInteger(ref env, SoftFloat.UnpackSingle(SseLanes.U32(ref b, i), env.DenormalsAreZero), 32, truncate);
        SseOperands.CommitFlags(cpu, ref env);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    public static void Cvtpd2dq(X86Cpu cpu, ref DecodedOp op) => PackedDoubleToInt32(cpu, ref op, truncate: false);
    public static void Cvttpd2dq(X86Cpu cpu, ref DecodedOp op) => PackedDoubleToInt32(cpu, ref op, truncate: true);

    /// <summary>CVT(T)PD2DQ: two doubles to int32 in the low quadword; the high quadword is zeroed.</summary>
    private static void PackedDoubleToInt32(X86Cpu cpu, ref DecodedOp op, bool truncate)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r = TwoDoublesToInt32(ref env, SseLanes.U64(ref b, 0), SseLanes.U64(ref b, 1), truncate);
        SseOperands.CommitFlags(cpu, ref env);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = r;
        cpu.Fpu.XmmHigh(d) = 0;
    }

    private static ulong TwoDoublesToInt32(ref FloatEnv env, ulong a, ulong b, bool truncate)
    {
        ulong r0 = SoftFloat.ToInteger(ref env, SoftFloat.UnpackDouble(a, env.DenormalsAreZero), 32, truncate);
        ulong r1 = SoftFloat.ToInteger(ref env, SoftFloat.UnpackDouble(b, env.DenormalsAreZero), 32, truncate);
        return r0 | (r1 << 32);
    }

    public static void Cvtps2pi(X86Cpu cpu, ref DecodedOp op) => PackedSingleToMmx(cpu, ref op, truncate: false);
    public static void Cvttps2pi(X86Cpu cpu, ref DecodedOp op) => PackedSingleToMmx(cpu, ref op, truncate: true);

    /// <summary>CVT(T)PS2PI mm, xmm/m64: two singles to int32 in an MMX register.</summary>
    private static void PackedSingleToMmx(X86Cpu cpu, ref DecodedOp op, bool truncate)
    {
        SseOperands.CheckSseAndMmx(cpu);
        ulong b = SseOperands.Source64(cpu, ref op, 1);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r0 = SoftFloat.ToInteger(ref env, SoftFloat.UnpackSingle((uint)b, env.DenormalsAreZero), 32, truncate);
        ulong r1 = SoftFloat.ToInteger(ref env, SoftFloat.UnpackSingle((uint)(b >> 32), env.DenormalsAreZero), 32, truncate);
        SseOperands.CommitFlags(cpu, ref env);
        cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r0 | (r1 << 32));
    }

    public static void Cvtpd2pi(X86Cpu cpu, ref DecodedOp op) => PackedDoubleToMmx(cpu, ref op, truncate: false);
    public static void Cvttpd2pi(X86Cpu cpu, ref DecodedOp op) => PackedDoubleToMmx(cpu, ref op, truncate: true);

    /// <summary>CVT(T)PD2PI mm, xmm/m128: two doubles to int32 in an MMX register.</summary>
    private static void PackedDoubleToMmx(X86Cpu cpu, ref DecodedOp op, bool truncate)
    {
        SseOperands.CheckSseAndMmx(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r = TwoDoublesToInt32(ref env, SseLanes.U64(ref b, 0), SseLanes.U64(ref b, 1), truncate);
        SseOperands.CommitFlags(cpu, ref env);
        cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r);
    }

    // --- Between singles and doubles ---

    public static void Cvtss2sd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r = SingleToDouble(ref env, SseOperands.Source32(cpu, ref op, 1));
        SseOperands.CommitFlags(cpu, ref env);
        cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register)) = r;
    }

    public static void Cvtsd2ss(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        uint r = DoubleToSingle(ref env, SseOperands.Source64(cpu, ref op, 1));
        SseOperands.CommitFlags(cpu, ref env);
        ref ulong low = ref cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register));
        low = (low & 0xFFFF_FFFF_0000_0000) | r;
    }

    /// <summary>CVTPS2PD xmm, xmm/m64: the two low singles to doubles.</summary>
    public static void Cvtps2pd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        ulong b = SseOperands.Source64(cpu, ref op, 1);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r0 = SingleToDouble(ref env, (uint)b);
        ulong r1 = SingleToDouble(ref env, (uint)(b >> 32));
        SseOperands.CommitFlags(cpu, ref env);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = r0;
        cpu.Fpu.XmmHigh(d) = r1;
    }

    /// <summary>CVTPD2PS: two doubles to singles in the low quadword; the high quadword is zeroed.</summary>
    public static void Cvtpd2ps(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong r0 = DoubleToSingle(ref env, SseLanes.U64(ref b, 0));
        ulong r1 = DoubleToSingle(ref env, SseLanes.U64(ref b, 1));
        SseOperands.CommitFlags(cpu, ref env);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = r0 | (r1 << 32);
        cpu.Fpu.XmmHigh(d) = 0;
    }

    public static ulong SingleToDouble(ref FloatEnv env, uint value) =>
        SoftFloat.PackDouble(SoftFloat.Convert(ref env, SoftFloat.UnpackSingle(value, env.DenormalsAreZero), 53, SoftFloat.Double));

    public static uint DoubleToSingle(ref FloatEnv env, ulong value) =>
        SoftFloat.PackSingle(SoftFloat.Convert(ref env, SoftFloat.UnpackDouble(value, env.DenormalsAreZero), 24, SoftFloat.Single));
}
