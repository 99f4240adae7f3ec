using System.Numerics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// x87 arithmetic (Intel SDM vol. 2 and vol. 1, 8.3.5-8.3.6): FADD, FSUB,
/// FSUBR, FMUL, FDIV, FDIVR in all their forms (ST(0) with ST(i), m32fp,
/// m64fp, m16int, m32int; the P forms pop), FCHS, FABS, FSQRT, FRNDINT,
/// FSCALE, FXTRACT, FPREM and FPREM1. Results are exact IEEE operations
/// rounded to the precision control's width and the control word's RC.
/// </summary>
internal static class X87ArithmeticOps
{
    private const int Add = 0, Sub = 1, Mul = 2, Div = 3;

    public static void Fadd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Add, reverse: false, pop: false);
    public static void Faddp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Add, reverse: false, pop: true);
    public static void Fsub(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Sub, reverse: false, pop: false);
    public static void Fsubp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Sub, reverse: false, pop: true);
    public static void Fsubr(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Sub, reverse: true, pop: false);
    public static void Fsubrp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Sub, reverse: true, pop: true);
    public static void Fmul(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Mul, reverse: false, pop: false);
    public static void Fmulp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Mul, reverse: false, pop: true);
    public static void Fdiv(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Div, reverse: false, pop: false);
    public static void Fdivp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Div, reverse: false, pop: true);
    public static void Fdivr(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Div, reverse: true, pop: false);
    public static void Fdivrp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Div, reverse: true, pop: true);

    /// <summary>
    /// destination = destination op source (or source op destination with
    /// <paramref name="reverse"/>): ST(0) op m32fp/m64fp/m16int/m32int,
    /// ST(0) op ST(i), or ST(i) op ST(0).
    /// </summary>
    private static void Binary(X86Cpu cpu, ref DecodedOp op, int kind, bool reverse, bool pop)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int dst = 0, src = -1;
        FloatParts b = default;
        if (op.I.Op0Kind == OpKind.Memory)
        {
            b = X87Unit.LoadOperand(cpu, ref op);
        }
        else
        {
            dst = X87Unit.StIndex(ref op, 0);
            src = X87Unit.StIndex(ref op, 1);
        }
        if (f.IsEmpty(dst) || (src >= 0 && f.IsEmpty(src)))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(dst, Float80.Indefinite);
            if (pop)
                f.Pop();
            return;
        }
        FloatParts a = X87Unit.Unpack(f.Read(dst));
        if (src >= 0)
            b = X87Unit.Unpack(f.Read(src));
        FloatEnv env = X87Unit.Env(f);
        FloatParts r = Compute(ref env, kind, reverse ? b : a, reverse ? a : b, X87Unit.Precision(f));
        if (!X87Unit.Finish(cpu, ref env))
            return;
        f.Write(dst, X87Unit.Pack(r));
        if (pop)
            f.Pop();
    }

    private static FloatParts Compute(ref FloatEnv env, int kind, in FloatParts x, in FloatParts y, int precision) => kind switch
    {
        Add => SoftFloat.Add(ref env, x, y, false, precision, SoftFloat.Extended),
        Sub => SoftFloat.Add(ref env, x, y, true, precision, SoftFloat.Extended),
        Mul => SoftFloat.Multiply(ref env, x, y, precision, SoftFloat.Extended),
        _ => SoftFloat.Divide(ref env, x, y, precision, SoftFloat.Extended),
    };

    // --- One operand: ST(0) ---

    /// <summary>FCHS: the sign inverted; no exception but stack underflow; C1 cleared.</summary>
    public static void Fchs(X86Cpu cpu, ref DecodedOp op) => SignOperation(cpu, ref op, negate: true);

    /// <summary>FABS: the sign cleared.</summary>
    public static void Fabs(X86Cpu cpu, ref DecodedOp op) => SignOperation(cpu, ref op, negate: false);

    private static void SignOperation(X86Cpu cpu, ref DecodedOp op, bool negate)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (f.IsEmpty(0))
        {
            if (X87Unit.StackUnderflow(cpu))
                f.Write(0, Float80.Indefinite);
            return;
        }
        Float80 v = f.Read(0);
        f.Write(0, negate ? v.Negate() : v.Abs());
        f.StatusWord &= unchecked((ushort)~FpuState.C1);
    }

    public static void Fsqrt(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (!ReadTop(cpu, f, out FloatParts a))
            return;
        FloatEnv env = X87Unit.Env(f);
        FloatParts r = SoftFloat.SquareRoot(ref env, a, X87Unit.Precision(f), SoftFloat.Extended);
        if (X87Unit.Finish(cpu, ref env))
            f.Write(0, X87Unit.Pack(r));
    }

    /// <summary>FRNDINT: ST(0) rounded to an integer with RC.</summary>
    public static void Frndint(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (!ReadTop(cpu, f, out FloatParts a))
            return;
        FloatEnv env = X87Unit.Env(f);
        if (a.Denormal)
            env.Flags |= FpuState.De;
        FloatParts r = SoftFloat.RoundToIntegral(ref env, a, env.Rounding, signalInexact: true);
        if (X87Unit.Finish(cpu, ref env))
            f.Write(0, X87Unit.Pack(r));
    }

    // ST(0) for a one-operand instruction; an empty ST(0) is a stack underflow that (masked) leaves the real indefinite.
    private static bool ReadTop(X86Cpu cpu, FpuState f, out FloatParts a)
    {
        if (f.IsEmpty(0))
        {
            if (X87Unit.StackUnderflow(cpu))
                f.Write(0, Float80.Indefinite);
            a = default;
            return false;
        }
        a = X87Unit.Unpack(f.Read(0));
        return true;
    }

    // --- Two operands: ST(0) and ST(1) ---

    private static bool ReadTopTwo(X86Cpu cpu, FpuState f, out FloatParts a, out FloatParts b)
    {
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            if (X87Unit.StackUnderflow(cpu))
                f.Write(0, Float80.Indefinite);
            a = b = default;
            return false;
        }
        a = X87Unit.Unpack(f.Read(0));
        b = X87Unit.Unpack(f.Read(1));
        return true;
    }

    /// <summary>FSCALE: ST(0) * 2^trunc(ST(1)) (SDM vol. 2, FSCALE, table 3-45 for the special operands).</summary>
    public static void Fscale(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (!ReadTopTwo(cpu, f, out FloatParts a, out FloatParts b))
            return;
        FloatEnv env = X87Unit.Env(f);
        FloatParts r;
        if (a.IsNaN || b.IsNaN || a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported)
        {
            r = a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported ? SoftFloat.Invalid(ref env) : SoftFloat.PropagateNaN(ref env, a, b);
        }
        else if (b.Class == FloatClass.Infinity)
        {
            if (!b.Sign)
                r = a.Class == FloatClass.Zero ? SoftFloat.Invalid(ref env) : a.Class == FloatClass.Infinity ? a : FloatParts.Infinity(a.Sign);
            else
                r = a.Class == FloatClass.Infinity ? SoftFloat.Invalid(ref env) : FloatParts.Zero(a.Sign);
            if (a.Denormal && (env.Flags & FpuState.Ie) == 0)
                env.Flags |= FpuState.De;
        }
        else
        {
            if (a.Denormal || b.Denormal)
                env.Flags |= FpuState.De;
            if (a.Class != FloatClass.Finite)
            {
                r = a;
            }
            else
            {
                int scale = 0;
                if (b.Class == FloatClass.Finite && b.Exp >= 0)
                {
                    int magnitude = b.Exp >= 20 ? 1 << 20 : (int)(b.Sig >> (63 - b.Exp));
                    scale = b.Sign ? -magnitude : magnitude;
                }
                r = SoftFloat.Round(ref env, a.Sign, a.Exp + scale, a.Sig, 0, 64, SoftFloat.Extended);
            }
        }
        if (X87Unit.Finish(cpu, ref env))
            f.Write(0, X87Unit.Pack(r));
    }

    /// <summary>
    /// FXTRACT: ST(0) is replaced by its unbiased exponent and its significand
    /// (with the exponent 0) is pushed. A zero is a divide-by-zero giving an
    /// exponent of -infinity (SDM vol. 2, FXTRACT).
    /// </summary>
    public static void Fxtract(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(0, Float80.Indefinite);
            X87Unit.Push(cpu, Float80.Indefinite);
            return;
        }
        if (X87Unit.WouldOverflow(f))
        {
            X87Unit.Push(cpu, Float80.Indefinite);
            return;
        }
        FloatParts a = X87Unit.Unpack(f.Read(0));
        FloatEnv env = X87Unit.Env(f);
        FloatParts exponent, significand;
        switch (a.Class)
        {
            case FloatClass.QuietNaN:
            case FloatClass.SignalingNaN:
                exponent = significand = SoftFloat.PropagateNaN(ref env, a, a);
                break;
            case FloatClass.Unsupported:
                exponent = significand = SoftFloat.Invalid(ref env);
                break;
            case FloatClass.Zero:
                env.Flags |= FpuState.Ze;
                exponent = FloatParts.Infinity(true);
                significand = a;
                break;
            case FloatClass.Infinity:
                exponent = FloatParts.Infinity(false);
                significand = a;
                break;
            default:
                if (a.Denormal)
                    env.Flags |= FpuState.De;
                exponent = X87Unit.FromInteger(a.Exp);
                significand = FloatParts.Finite(a.Sign, 0, a.Sig);
                break;
        }
        if (!X87Unit.Finish(cpu, ref env, setC1: false))
            return;
        f.Write(0, X87Unit.Pack(exponent));
        X87Unit.Push(cpu, X87Unit.Pack(significand));
    }

    public static void Fprem(X86Cpu cpu, ref DecodedOp op) => Remainder(cpu, ref op, nearest: false);

    public static void Fprem1(X86Cpu cpu, ref DecodedOp op) => Remainder(cpu, ref op, nearest: true);

    /// <summary>
    /// FPREM (quotient truncated) and FPREM1 (IEEE remainder: quotient rounded
    /// to nearest even): the exact remainder of ST(0) / ST(1) when the exponents
    /// differ by less than 64; otherwise a partial reduction by a multiple of
    /// ST(1) * 2^(D - N), N = 32 + D mod 32, with C2 set so software repeats it.
    /// C0, C3 and C1 get the quotient's bits 2, 1 and 0 (SDM vol. 2, FPREM).
    /// </summary>
    private static void Remainder(X86Cpu cpu, ref DecodedOp op, bool nearest)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (!ReadTopTwo(cpu, f, out FloatParts a, out FloatParts b))
            return;
        FloatEnv env = X87Unit.Env(f);
        FloatParts r;
        ulong quotient = 0;
        bool partial = false;
        if (a.IsNaN || b.IsNaN || a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported)
        {
            r = a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported ? SoftFloat.Invalid(ref env) : SoftFloat.PropagateNaN(ref env, a, b);
        }
        else if (a.Class == FloatClass.Infinity || b.Class == FloatClass.Zero)
        {
            r = SoftFloat.Invalid(ref env);
        }
        else
        {
            if (a.Denormal || b.Denormal)
                env.Flags |= FpuState.De;
            if (a.Class == FloatClass.Zero || b.Class == FloatClass.Infinity)
                r = a;
            else
                r = FiniteRemainder(ref env, a, b, nearest, out quotient, out partial);
        }
        if (!X87Unit.Finish(cpu, ref env, setC1: false))
            return;
        f.Write(0, X87Unit.Pack(r));
        int codes = (partial ? FpuState.C2 : 0) | ((quotient & 4) != 0 ? FpuState.C0 : 0) | ((quotient & 2) != 0 ? FpuState.C3 : 0)
            | ((quotient & 1) != 0 ? FpuState.C1 : 0);
        f.SetConditionCodes(FpuState.C0 | FpuState.C1 | FpuState.C2 | FpuState.C3, codes);
    }

    private static FloatParts FiniteRemainder(ref FloatEnv env, in FloatParts a, in FloatParts b, bool nearest, out ulong quotient, out bool partial)
    {
        int d = a.Exp - b.Exp;
        quotient = 0;
        partial = false;
        if (d < 0)
        {
            // |a| < |b|: the truncated quotient is 0; the nearest one is 1 when |a| > |b| / 2.
            if (!nearest || d < -1 || a.Sig <= b.Sig)
                return a;
            quotient = 1;
            // a - b * sign: |b| - |a| with the opposite sign; exact.
            UInt128 diff = ((UInt128)b.Sig << 1) - a.Sig;
            return Normalize(ref env, !a.Sign, diff, b.Exp - 64);
        }
        int shift = d;
        if (d >= 64)
        {
            partial = true;
            shift = 32 + d % 32;
        }
        UInt128 n = (UInt128)a.Sig << shift;
        UInt128 q = n / b.Sig;
        UInt128 rem = n - q * b.Sig;
        bool sign = a.Sign;
        if (nearest && !partial)
        {
            UInt128 twice = rem << 1;
            if (twice > b.Sig || (twice == b.Sig && (q & 1) != 0))
            {
                rem = b.Sig - rem;
                q++;
                sign = !sign;
            }
        }
        quotient = (ulong)q;
        // The remainder's unit is 2^(b.Exp - 63 + d - shift).
        if (rem == 0)
            return FloatParts.Zero(a.Sign);
        return Normalize(ref env, sign, rem, b.Exp - 63 + d - shift);
    }

    // value * 2^unitExponent as an extended value (exact; it may be denormal).
    private static FloatParts Normalize(ref FloatEnv env, bool sign, UInt128 value, int unitExponent)
    {
        ulong v = (ulong)value;
        int lz = BitOperations.LeadingZeroCount(v);
        return SoftFloat.Round(ref env, sign, unitExponent + 63 - lz, v << lz, 0, 64, SoftFloat.Extended);
    }
}
