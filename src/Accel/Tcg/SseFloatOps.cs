using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE/SSE2 floating-point arithmetic on packed and scalar singles and
/// doubles (Intel SDM vol. 2): ADD, SUB, MUL, DIV, SQRT, MIN, MAX, the
/// RCP/RSQRT approximations, CMPcc and (U)COMIS. Every element goes through
/// <see cref="SoftFloat"/> under MXCSR; results are written only when no
/// unmasked exception was raised (SDM vol. 1, 11.5).
/// </summary>
internal static class SseFloatOps
{
    public const int Add = 0, Sub = 1, Mul = 2, Div = 3, Min = 4, Max = 5, Sqrt = 6;

    public static void Addps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Add, false);
    public static void Addpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Add, true);
    public static void Addss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Add, false);
    public static void Addsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Add, true);
    public static void Subps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Sub, false);
    public static void Subpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Sub, true);
    public static void Subss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Sub, false);
    public static void Subsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Sub, true);
    public static void Mulps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Mul, false);
    public static void Mulpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Mul, true);
    public static void Mulss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Mul, false);
    public static void Mulsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Mul, true);
    public static void Divps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Div, false);
    public static void Divpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Div, true);
    public static void Divss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Div, false);
    public static void Divsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Div, true);
    public static void Minps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Min, false);
    public static void Minpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Min, true);
    public static void Minss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Min, false);
    public static void Minsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Min, true);
    public static void Maxps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Max, false);
    public static void Maxpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Max, true);
    public static void Maxss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Max, false);
    public static void Maxsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Max, true);
    public static void Sqrtps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Sqrt, false);
    public static void Sqrtpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, Sqrt, true);
    public static void Sqrtss(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Sqrt, false);
    public static void Sqrtsd(X86Cpu cpu, ref DecodedOp op) => Scalar(cpu, ref op, Sqrt, true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Packed(X86Cpu cpu, ref DecodedOp op, int kind, bool isDouble)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        if (isDouble)
        {
            for (int i = 0; i < 2; i++)
                SseLanes.U64(ref r, i) = Double(kind, ref env, SseLanes.U64(ref r, i), SseLanes.U64(ref b, i));
        }
        else
        {
            for (int i = 0; i < 4; i++)
                SseLanes.U32(ref r, i) = Single(kind, ref env, SseLanes.U32(ref r, i), SseLanes.U32(ref b, i));
        }
        SseOperands.CommitFlags(cpu, ref env);
        dst = r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar(X86Cpu cpu, ref DecodedOp op, int kind, bool isDouble)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        int d = SseOperands.Number(op.I.Op0Register);
        ref ulong low = ref cpu.Fpu.XmmLow(d);
        if (isDouble)
        {
            ulong b = SseOperands.Source64(cpu, ref op, 1);
            ulong r = Double(kind, ref env, low, b);
            SseOperands.CommitFlags(cpu, ref env);
            low = r;
        }
        else
        {
            uint b = SseOperands.Source32(cpu, ref op, 1);
            uint r = Single(kind, ref env, (uint)low, b);
            SseOperands.CommitFlags(cpu, ref env);
            low = (low & 0xFFFF_FFFF_0000_0000) | r;
        }
    }

    /// <summary>One single-precision element: a op b (SQRT: sqrt(b)).</summary>
    public static uint Single(int kind, ref FloatEnv env, uint a, uint b)
    {
        bool daz = env.DenormalsAreZero;
        FloatParts y = SoftFloat.UnpackSingle(b, daz);
        if (kind == Sqrt)
            return SoftFloat.PackSingle(SoftFloat.SquareRoot(ref env, y, 24, SoftFloat.Single));
        FloatParts x = SoftFloat.UnpackSingle(a, daz);
        FloatParts r;
        switch (kind)
        {
            case Add:
                r = SoftFloat.Add(ref env, x, y, false, 24, SoftFloat.Single);
                break;
            case Sub:
                r = SoftFloat.Add(ref env, x, y, true, 24, SoftFloat.Single);
                break;
            case Mul:
                r = SoftFloat.Multiply(ref env, x, y, 24, SoftFloat.Single);
                break;
            case Div:
                r = SoftFloat.Divide(ref env, x, y, 24, SoftFloat.Single);
                break;
            default:
                // With DAZ a denormal source is returned as the zero it was taken for.
                return PickFirst(ref env, x, y, kind == Max) ? DazSingle(a, daz) : DazSingle(b, daz);
        }
        return SoftFloat.PackSingle(r);
    }

    /// <summary>One double-precision element: a op b (SQRT: sqrt(b)).</summary>
    public static ulong Double(int kind, ref FloatEnv env, ulong a, ulong b)
    {
        bool daz = env.DenormalsAreZero;
        FloatParts y = SoftFloat.UnpackDouble(b, daz);
        if (kind == Sqrt)
            return SoftFloat.PackDouble(SoftFloat.SquareRoot(ref env, y, 53, SoftFloat.Double));
        FloatParts x = SoftFloat.UnpackDouble(a, daz);
        FloatParts r;
        switch (kind)
        {
            case Add:
                r = SoftFloat.Add(ref env, x, y, false, 53, SoftFloat.Double);
                break;
            case Sub:
                r = SoftFloat.Add(ref env, x, y, true, 53, SoftFloat.Double);
                break;
            case Mul:
                r = SoftFloat.Multiply(ref env, x, y, 53, SoftFloat.Double);
                break;
            case Div:
                r = SoftFloat.Divide(ref env, x, y, 53, SoftFloat.Double);
                break;
            default:
                return PickFirst(ref env, x, y, kind == Max) ? DazDouble(a, daz) : DazDouble(b, daz);
        }
        return SoftFloat.PackDouble(r);
    }

    private static uint DazSingle(uint v, bool daz) => daz && (v & 0x7F80_0000) == 0 ? v & 0x8000_0000 : v;

    private static ulong DazDouble(ulong v, bool daz) => daz && (v & 0x7FF0_0000_0000_0000) == 0 ? v & 0x8000_0000_0000_0000 : v;

    /// <summary>
    /// MIN/MAX: the first source when it is strictly smaller (larger), else the
    /// second — so a NaN in either, or two zeros of any signs, give the second
    /// source unchanged; any NaN is an invalid operation (SDM vol. 2, MINPS).
    /// </summary>
    private static bool PickFirst(ref FloatEnv env, in FloatParts x, in FloatParts y, bool max)
    {
        if (x.IsNaN || y.IsNaN)
        {
            env.Flags |= FpuState.Ie;
            return false;
        }
        if (x.Denormal || y.Denormal)
            env.Flags |= FpuState.De;
        int order = SoftFloat.CompareOrdered(x, y);
        return max ? order == SoftFloat.Greater : order == SoftFloat.Less;
    }

    // --- RCP and RSQRT: approximations; no exceptions, MXCSR ignored (SDM vol. 2, RCPPS, RSQRTPS) ---

    public static void Rcpps(X86Cpu cpu, ref DecodedOp op) => PackedApproximation(cpu, ref op, reciprocalSqrt: false);
    public static void Rsqrtps(X86Cpu cpu, ref DecodedOp op) => PackedApproximation(cpu, ref op, reciprocalSqrt: true);
    public static void Rcpss(X86Cpu cpu, ref DecodedOp op) => ScalarApproximation(cpu, ref op, reciprocalSqrt: false);
    public static void Rsqrtss(X86Cpu cpu, ref DecodedOp op) => ScalarApproximation(cpu, ref op, reciprocalSqrt: true);

    private static void PackedApproximation(X86Cpu cpu, ref DecodedOp op, bool reciprocalSqrt)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = Approximate(SseLanes.U32(ref b, i), reciprocalSqrt);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    private static void ScalarApproximation(X86Cpu cpu, ref DecodedOp op, bool reciprocalSqrt)
    {
        SseOperands.CheckSse(cpu);
        uint b = SseOperands.Source32(cpu, ref op, 1);
        ref ulong low = ref cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register));
        low = (low & 0xFFFF_FFFF_0000_0000) | Approximate(b, reciprocalSqrt);
    }

    /// <summary>
    /// 1/x or 1/sqrt(x). Hardware returns a table-based approximation with a
    /// relative error of at most 1.5 * 2^-12 whose exact bits are not
    /// architectural (they differ between vendors); this returns the correctly
    /// rounded value, which is within that bound. Denormal inputs count as zero
    /// (giving an infinity) and results too small to be normal are flushed to
    /// zero; NaNs come back quiet.
    /// </summary>
    public static uint Approximate(uint x, bool reciprocalSqrt)
    {
        uint sign = x & 0x8000_0000;
        uint magnitude = x & 0x7FFF_FFFF;
        if (magnitude > 0x7F80_0000)
            return x | 0x40_0000;
        if (magnitude < 0x0080_0000)
            return sign | 0x7F80_0000;
        if (magnitude == 0x7F80_0000)
        {
            if (reciprocalSqrt && sign != 0)
                return 0xFFC0_0000;
            return sign;
        }
        if (reciprocalSqrt && sign != 0)
            return 0xFFC0_0000;
        double value = BitConverter.Int32BitsToSingle((int)magnitude);
        float result = (float)(reciprocalSqrt ? 1.0 / Math.Sqrt(value) : 1.0 / value);
        uint bits = (uint)BitConverter.SingleToInt32Bits(result);
        if (bits < 0x0080_0000)
            bits = 0;
        return bits | (reciprocalSqrt ? 0 : sign);
    }

    // --- Comparisons ---

    public static void Cmpps(X86Cpu cpu, ref DecodedOp op) => PackedCompare(cpu, ref op, isDouble: false);
    public static void Cmppd(X86Cpu cpu, ref DecodedOp op) => PackedCompare(cpu, ref op, isDouble: true);
    public static void Cmpss(X86Cpu cpu, ref DecodedOp op) => ScalarCompare(cpu, ref op, isDouble: false);

    /// <summary>CMPSD (SSE2; the string CMPSD shares the mnemonic and goes to <see cref="StringOps.Cmps"/>).</summary>
    public static void Cmpsd(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Code != Code.Cmpsd_xmm_xmmm64_imm8)
        {
            StringOps.Cmps(cpu, ref op);
            return;
        }
        ScalarCompare(cpu, ref op, isDouble: true);
    }

    private static void PackedCompare(X86Cpu cpu, ref DecodedOp op, bool isDouble)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        int predicate = (int)op.I.Immediate8 & 7;
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        if (isDouble)
        {
            for (int i = 0; i < 2; i++)
                SseLanes.U64(ref r, i) = CompareDouble(ref env, predicate, SseLanes.U64(ref r, i), SseLanes.U64(ref b, i)) ? ulong.MaxValue : 0;
        }
        else
        {
            for (int i = 0; i < 4; i++)
                SseLanes.U32(ref r, i) = CompareSingle(ref env, predicate, SseLanes.U32(ref r, i), SseLanes.U32(ref b, i)) ? uint.MaxValue : 0;
        }
        SseOperands.CommitFlags(cpu, ref env);
        dst = r;
    }

    private static void ScalarCompare(X86Cpu cpu, ref DecodedOp op, bool isDouble)
    {
        SseOperands.CheckSse(cpu);
        int predicate = (int)op.I.Immediate8 & 7;
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ref ulong low = ref cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register));
        if (isDouble)
        {
            bool result = CompareDouble(ref env, predicate, low, SseOperands.Source64(cpu, ref op, 1));
            SseOperands.CommitFlags(cpu, ref env);
            low = result ? ulong.MaxValue : 0;
        }
        else
        {
            bool result = CompareSingle(ref env, predicate, (uint)low, SseOperands.Source32(cpu, ref op, 1));
            SseOperands.CommitFlags(cpu, ref env);
            low = (low & 0xFFFF_FFFF_0000_0000) | (result ? uint.MaxValue : 0);
        }
    }

    public static bool CompareSingle(ref FloatEnv env, int predicate, uint a, uint b) =>
        Holds(predicate, SoftFloat.Compare(ref env, SoftFloat.UnpackSingle(a, env.DenormalsAreZero),
            SoftFloat.UnpackSingle(b, env.DenormalsAreZero), Signals(predicate)));

    public static bool CompareDouble(ref FloatEnv env, int predicate, ulong a, ulong b) =>
        Holds(predicate, SoftFloat.Compare(ref env, SoftFloat.UnpackDouble(a, env.DenormalsAreZero),
            SoftFloat.UnpackDouble(b, env.DenormalsAreZero), Signals(predicate)));

    // The eight SSE predicates (SDM vol. 2, CMPPS table 3-1): EQ_OQ, LT_OS, LE_OS, UNORD_Q, NEQ_UQ, NLT_US, NLE_US, ORD_Q.
    private static bool Signals(int predicate) => predicate is 1 or 2 or 5 or 6;

    private static bool Holds(int predicate, int order) => predicate switch
    {
        0 => order == SoftFloat.Equal,
        1 => order == SoftFloat.Less,
        2 => order is SoftFloat.Less or SoftFloat.Equal,
        3 => order == SoftFloat.Unordered,
        4 => order != SoftFloat.Equal,
        5 => order != SoftFloat.Less,
        6 => order is SoftFloat.Greater or SoftFloat.Unordered,
        _ => order != SoftFloat.Unordered,
    };

    public static void Comiss(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, isDouble: false, signalOnQuiet: true);
    public static void Ucomiss(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, isDouble: false, signalOnQuiet: false);
    public static void Comisd(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, isDouble: true, signalOnQuiet: true);
    public static void Ucomisd(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, isDouble: true, signalOnQuiet: false);

    /// <summary>(U)COMISS/SD: ZF, PF, CF = 111 unordered, 000 greater, 001 less, 100 equal; OF, SF, AF cleared.</summary>
    private static void CompareToFlags(X86Cpu cpu, ref DecodedOp op, bool isDouble, bool signalOnQuiet)
    {
        SseOperands.CheckSse(cpu);
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        ulong a = cpu.Fpu.XmmLow(SseOperands.Number(op.I.Op0Register));
        bool daz = env.DenormalsAreZero;
        int order = isDouble
            ? SoftFloat.Compare(ref env, SoftFloat.UnpackDouble(a, daz), SoftFloat.UnpackDouble(SseOperands.Source64(cpu, ref op, 1), daz), signalOnQuiet)
            : SoftFloat.Compare(ref env, SoftFloat.UnpackSingle((uint)a, daz), SoftFloat.UnpackSingle(SseOperands.Source32(cpu, ref op, 1), daz), signalOnQuiet);
        SseOperands.CommitFlags(cpu, ref env);
        cpu.SetArithmeticFlags(OrderFlags(order));
    }

    public static ulong OrderFlags(int order) => order switch
    {
        SoftFloat.Unordered => X86Cpu.FlagZf | X86Cpu.FlagPf | X86Cpu.FlagCf,
        SoftFloat.Less => X86Cpu.FlagCf,
        SoftFloat.Equal => X86Cpu.FlagZf,
        _ => 0,
    };
}
