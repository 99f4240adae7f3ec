namespace Emu.Accel.Tcg;

/// <summary>
/// x87 transcendental instructions (Intel SDM vol. 2): F2XM1, FYL2X,
/// FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS. The special operands (zeros,
/// infinities, NaNs, the invalid domains, |x| >= 2^63 for the trigonometric
/// ones, which set C2 and leave ST(0) alone) follow the SDM's tables; finite
/// results are computed in double precision with the host's libm and then
/// widened, so they carry about 53 correct bits instead of the hardware's
/// 64 (documented deviation), always report a precision exception, and
/// leave C1 clear (the hardware's rounding direction is not known).
/// Arguments outside double's range are rescaled exactly first (FYL2X, FPATAN).
/// </summary>
internal static class X87TranscendentalOps
{
    private const double Ln2 = 0.69314718055994530942;
    private static readonly FloatParts s_ln2 = FloatParts.Finite(false, -1, 0xB172_17F7_D1CF_79AC);
    private static readonly FloatParts s_log2e = FloatParts.Finite(false, 0, 0xB8AA_3B29_5C17_F0BC);

    // --- F2XM1: 2^x - 1 for -1 <= x <= 1 ---

    public static void F2xm1(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (!ReadTop(cpu, f, out FloatParts a))
            return;
        FloatEnv env = X87Unit.Env(f);
        FloatParts r;
        switch (a.Class)
        {
            case FloatClass.QuietNaN:
            case FloatClass.SignalingNaN:
                r = SoftFloat.PropagateNaN(ref env, a, a);
                break;
            case FloatClass.Unsupported:
                r = SoftFloat.Invalid(ref env);
                break;
            case FloatClass.Zero:
                r = a;
                break;
            case FloatClass.Infinity:
                r = a.Sign ? Negative(FromDouble(1.0)) : a;
                break;
            default:
                if (a.Denormal)
                    env.Flags |= FpuState.De;
                if (a.Exp < -60)
                    r = SoftFloat.Multiply(ref env, a, s_ln2, 64, SoftFloat.Extended); // 2^x - 1 = x ln 2 to 64 bits
                else
                    r = Inexact(ref env, ExpM1(ToDouble(a) * Ln2));
                break;
        }
        if (X87Unit.Finish(cpu, ref env))
            f.Write(0, X87Unit.Pack(r));
    }

    /// <summary>e^y - 1 accurate near 0 (Kahan's method: (u - 1) * y / ln u with u = e^y rounded).</summary>
    private static double ExpM1(double y)
    {
        double u = Math.Exp(y);
        if (u == 1.0)
            return y;
        double um1 = u - 1.0;
        if (um1 == -1.0)
            return -1.0;
        return um1 * y / Math.Log(u);
    }

    /// <summary>ln(1 + x) accurate near 0.</summary>
    private static double Log1P(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0)
            return x;
        return Math.Log(u) * x / (u - 1.0);
    }

    // --- FYL2X: ST(1) * log2(ST(0)); FYL2XP1: ST(1) * log2(ST(0) + 1); both pop ---

    public static void Fyl2x(X86Cpu cpu, ref DecodedOp op) => Logarithm(cpu, ref op, plusOne: false);

    public static void Fyl2xp1(X86Cpu cpu, ref DecodedOp op) => Logarithm(cpu, ref op, plusOne: true);

    private static void Logarithm(X86Cpu cpu, ref DecodedOp op, bool plusOne)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(1, Float80.Indefinite);
            f.Pop();
            return;
        }
        FloatParts x = X87Unit.Unpack(f.Read(0)), y = X87Unit.Unpack(f.Read(1));
        FloatEnv env = X87Unit.Env(f);
        FloatParts r = plusOne ? Log2PlusOne(ref env, x, y) : Log2(ref env, x, y);
        if (!X87Unit.Finish(cpu, ref env))
            return;
        f.Write(1, X87Unit.Pack(r));
        f.Pop();
    }

    private static FloatParts Log2(ref FloatEnv env, in FloatParts x, in FloatParts y)
    {
        if (x.IsNaN || y.IsNaN)
            return x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported ? SoftFloat.Invalid(ref env) : SoftFloat.PropagateNaN(ref env, x, y);
        if (x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported)
            return SoftFloat.Invalid(ref env);
        if (x.Sign && x.Class != FloatClass.Zero)
            return SoftFloat.Invalid(ref env); // the logarithm of a negative number
        if (x.Denormal)
            env.Flags |= FpuState.De;
        bool belowOne = x.Class == FloatClass.Zero || (x.Class == FloatClass.Finite && x.Exp < 0);
        bool one = x.Class == FloatClass.Finite && x.Exp == 0 && x.Sig == 1UL << 63;
        if (x.Class == FloatClass.Zero)
        {
            if (y.Class == FloatClass.Zero)
                return SoftFloat.Invalid(ref env);
            if (y.Class == FloatClass.Finite)
                env.Flags |= FpuState.Ze;
            return FloatParts.Infinity(!y.Sign);
        }
        if (x.Class == FloatClass.Infinity)
        {
            if (y.Denormal)
                env.Flags |= FpuState.De;
            return y.Class == FloatClass.Zero ? SoftFloat.Invalid(ref env) : FloatParts.Infinity(y.Sign);
        }
        if (one)
            return y.Class == FloatClass.Infinity ? SoftFloat.Invalid(ref env) : FloatParts.Zero(y.Sign);
        if (y.Class == FloatClass.Infinity)
            return FloatParts.Infinity(y.Sign ^ belowOne);
        if (y.Class == FloatClass.Zero)
            return FloatParts.Zero(y.Sign ^ belowOne);
        if (y.Denormal)
            env.Flags |= FpuState.De;
        double log2;
        if (x.Exp is 0 or -1)
        {
            // Near 1: log2(x) = ln(1 + (x - 1)) / ln 2 with x - 1 exact.
            FloatEnv exact = default;
            FloatParts xm1 = SoftFloat.Add(ref exact, x, FromDouble(1.0), true, 64, SoftFloat.Extended);
            log2 = Log1P(ToDouble(xm1)) / Ln2;
        }
        else
        {
            log2 = x.Exp + Math.Log2(ToDouble(FloatParts.Finite(false, 0, x.Sig)));
        }
        return Product(ref env, y, log2);
    }

    private static FloatParts Log2PlusOne(ref FloatEnv env, in FloatParts x, in FloatParts y)
    {
        if (x.IsNaN || y.IsNaN)
            return x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported ? SoftFloat.Invalid(ref env) : SoftFloat.PropagateNaN(ref env, x, y);
        if (x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported)
            return SoftFloat.Invalid(ref env);
        if (x.Class == FloatClass.Infinity)
        {
            if (x.Sign || y.Class == FloatClass.Zero)
                return SoftFloat.Invalid(ref env);
            if (y.Denormal)
                env.Flags |= FpuState.De;
            return FloatParts.Infinity(y.Sign);
        }
        if (x.Denormal || y.Denormal)
            env.Flags |= FpuState.De;
        if (x.Class == FloatClass.Zero)
            return y.Class == FloatClass.Infinity ? SoftFloat.Invalid(ref env) : FloatParts.Zero(x.Sign ^ y.Sign);
        if (y.Class == FloatClass.Infinity)
            return FloatParts.Infinity(x.Sign ^ y.Sign);
        if (y.Class == FloatClass.Zero)
            return FloatParts.Zero(x.Sign ^ y.Sign);
        if (x.Exp < -60)
        {
            // log2(1 + x) = x / ln 2 to 64 bits.
            FloatParts l = SoftFloat.Multiply(ref env, x, s_log2e, 64, SoftFloat.Extended);
            return SoftFloat.Multiply(ref env, y, l, 64, SoftFloat.Extended);
        }
        // Outside |x| < 1 - sqrt(2)/2 the result is undefined (no exception); this computes log2(1 + x) anyway.
        double log2 = Log1P(ToDouble(x)) / Ln2;
        return double.IsNaN(log2) ? FloatParts.DefaultNaN : Product(ref env, y, log2);
    }

    // y * value, multiplied in extended precision (y may be outside double's range); inexact.
    private static FloatParts Product(ref FloatEnv env, in FloatParts y, double value)
    {
        FloatParts r = SoftFloat.Multiply(ref env, y, FromDouble(value), 64, SoftFloat.Extended);
        env.Flags |= FpuState.Pe;
        env.RoundedUp = false;
        return r;
    }

    // --- FPATAN: ST(1) = atan2(ST(1), ST(0)), pop ---

    public static void Fpatan(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (f.IsEmpty(0) || f.IsEmpty(1))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(1, Float80.Indefinite);
            f.Pop();
            return;
        }
        FloatParts x = X87Unit.Unpack(f.Read(0)), y = X87Unit.Unpack(f.Read(1));
        FloatEnv env = X87Unit.Env(f);
        FloatParts r;
        if (x.IsNaN || y.IsNaN)
        {
            r = x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported ? SoftFloat.Invalid(ref env) : SoftFloat.PropagateNaN(ref env, x, y);
        }
        else if (x.Class == FloatClass.Unsupported || y.Class == FloatClass.Unsupported)
        {
            r = SoftFloat.Invalid(ref env);
        }
        else
        {
            if (x.Denormal || y.Denormal)
                env.Flags |= FpuState.De;
            if (y.Class == FloatClass.Zero && (x.Class != FloatClass.Finite || !x.Sign) && !(x.Class == FloatClass.Zero && x.Sign)
                && !(x.Class == FloatClass.Infinity && x.Sign))
            {
                r = y; // atan2(+-0, +x) = +-0 exactly
            }
            else if (y.Class == FloatClass.Finite && x.Class == FloatClass.Finite && !x.Sign && y.Exp - x.Exp < -1000)
            {
                r = SoftFloat.Divide(ref env, y, x, 64, SoftFloat.Extended); // atan(t) = t for tiny t
                env.Flags |= FpuState.Pe;
            }
            else
            {
                // atan2 depends only on the ratio: bring both into double's range by one power of two.
                int scale = Math.Max(x.Class == FloatClass.Finite ? x.Exp : int.MinValue, y.Class == FloatClass.Finite ? y.Exp : int.MinValue);
                double dy = ToDouble(Scaled(y, scale)), dx = ToDouble(Scaled(x, scale));
                r = Inexact(ref env, Math.Atan2(dy, dx));
            }
        }
        if (!X87Unit.Finish(cpu, ref env))
            return;
        f.Write(1, X87Unit.Pack(r));
        f.Pop();
    }

    private static FloatParts Scaled(FloatParts p, int scale)
    {
        if (p.Class == FloatClass.Finite && scale != int.MinValue)
            p.Exp -= scale;
        return p;
    }

    // --- FSIN, FCOS, FSINCOS, FPTAN ---

    private const int Sin = 0, Cos = 1, SinCos = 2, Tan = 3;

    public static void Fsin(X86Cpu cpu, ref DecodedOp op) => Trigonometric(cpu, ref op, Sin);
    public static void Fcos(X86Cpu cpu, ref DecodedOp op) => Trigonometric(cpu, ref op, Cos);
    public static void Fsincos(X86Cpu cpu, ref DecodedOp op) => Trigonometric(cpu, ref op, SinCos);
    public static void Fptan(X86Cpu cpu, ref DecodedOp op) => Trigonometric(cpu, ref op, Tan);

    /// <summary>
    /// The trigonometric functions of ST(0) in radians. |x| >= 2^63 sets C2 and
    /// changes nothing else; FSINCOS leaves sin in ST(1) and cos in ST(0);
    /// FPTAN leaves tan in ST(1) and 1.0 in ST(0).
    /// </summary>
    private static void Trigonometric(X86Cpu cpu, ref DecodedOp op, int kind)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        bool pushes = kind is SinCos or Tan;
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(0, Float80.Indefinite);
            if (pushes)
                X87Unit.Push(cpu, Float80.Indefinite);
            return;
        }
        if (pushes && X87Unit.WouldOverflow(f))
        {
            if (X87Unit.Push(cpu, Float80.Indefinite))
                f.Write(1, Float80.Indefinite);
            return;
        }
        FloatParts a = X87Unit.Unpack(f.Read(0));
        FloatEnv env = X87Unit.Env(f);
        FloatParts first, second = default;
        switch (a.Class)
        {
            case FloatClass.QuietNaN:
            case FloatClass.SignalingNaN:
                first = second = SoftFloat.PropagateNaN(ref env, a, a);
                break;
            case FloatClass.Unsupported:
            case FloatClass.Infinity:
                first = second = SoftFloat.Invalid(ref env);
                break;
            case FloatClass.Zero:
                first = kind == Cos ? FromDouble(1.0) : a;
                second = FromDouble(1.0);
                break;
            default:
                if (a.Exp >= 63)
                {
                    // Out of range: C2 set, the operand stays (SDM vol. 2, FSIN).
                    f.SetConditionCodes(FpuState.C2, FpuState.C2);
                    return;
                }
                if (a.Denormal)
                    env.Flags |= FpuState.De;
                if (a.Exp < -60)
                {
                    // sin x = x - x^3/6, rounded with RC as a value just below |x|; cos x = 1. The reference
                    // hardware rounds tan x the same way as sin x here (not as x + x^3/3, just above |x|).
                    first = kind == Cos ? FromDouble(1.0) : JustBelow(ref env, a);
                    second = FromDouble(1.0);
                    env.Flags |= FpuState.Pe;
                    break;
                }
                double r = Reduce(a, out int quadrant);
                double sin = Math.Sin(r), cos = Math.Cos(r);
                // sin and cos of x = r + quadrant * pi/2.
                double sinX = (quadrant & 1) == 0 ? sin : cos, cosX = (quadrant & 1) == 0 ? cos : -sin;
                if ((quadrant & 2) != 0)
                {
                    sinX = -sinX;
                    cosX = -cosX;
                }
                switch (kind)
                {
                    case Sin:
                        first = Inexact(ref env, sinX);
                        break;
                    case Cos:
                        first = Inexact(ref env, cosX);
                        break;
                    case SinCos:
                        first = Inexact(ref env, sinX);
                        second = Inexact(ref env, cosX);
                        break;
                    default:
                        first = Inexact(ref env, (quadrant & 1) == 0 ? Math.Tan(r) : -cos / sin);
                        second = FromDouble(1.0);
                        break;
                }
                break;
        }
        if (!X87Unit.Finish(cpu, ref env))
            return;
        f.SetConditionCodes(FpuState.C2, 0);
        f.Write(0, X87Unit.Pack(first));
        if (pushes)
            X87Unit.Push(cpu, X87Unit.Pack(second));
    }

    // |x| minus an amount far below its last bit, rounded with RC: sin x for tiny x.
    private static FloatParts JustBelow(ref FloatEnv env, in FloatParts a)
    {
        if (a.Sig == 1UL << 63)
            return SoftFloat.Round(ref env, a.Sign, a.Exp - 1, ulong.MaxValue, ulong.MaxValue, 64, SoftFloat.Extended);
        return SoftFloat.Round(ref env, a.Sign, a.Exp, a.Sig - 1, ulong.MaxValue, 64, SoftFloat.Extended);
    }

    // --- Argument reduction ---

    // pi/2 * 2^128 with the 66 significant bits of the x87's internal pi (SDM vol. 1, 8.3.10: the reduction of
    // large arguments uses a 66-bit pi, which the reference hardware's results confirm), in three words, low first.
    private const ulong HalfPi0 = 0x8000_0000_0000_0000, HalfPi1 = 0x921F_B544_42D1_8469, HalfPi2 = 1;

    /// <summary>
    /// x = r + quadrant * pi/2 with |r| &lt;= about pi/4, for finite |x| &lt; 2^63:
    /// the subtraction is exact, in 192-bit fixed point (128 fraction bits),
    /// with the hardware's 66-bit pi, so r is what the hardware reduces to;
    /// r is then rounded to double.
    /// </summary>
    private static double Reduce(in FloatParts a, out int quadrant)
    {
        quadrant = 0;
        if (a.Exp < 0)
        {
            double small = ToDouble(a);
            if (Math.Abs(small) < Math.PI / 4)
                return small;
        }
        // |x| * 2^128 = Sig << (Exp + 65), below 2^191.
        int shift = a.Exp + 65;
        ulong x0 = 0, x1, x2;
        if (shift >= 128)
        {
            x1 = 0;
            x2 = a.Sig << (shift - 128);
        }
        else
        {
            x1 = a.Sig << (shift - 64);
            x2 = shift == 64 ? 0 : a.Sig >> (128 - shift);
        }
        ulong k = (ulong)Math.Round(ToDouble(FloatParts.Finite(false, a.Exp, a.Sig)) * (2 / Math.PI));
        SubtractMultiple(ref x0, ref x1, ref x2, k, negate: false);
        // The double estimate of k may be off by a few units for huge x: reduce once more.
        double r = FixedToDouble(x0, x1, x2);
        long k2 = (long)Math.Round(r * (2 / Math.PI));
        if (k2 != 0)
        {
            SubtractMultiple(ref x0, ref x1, ref x2, (ulong)Math.Abs(k2), negate: k2 < 0);
            r = FixedToDouble(x0, x1, x2);
        }
        quadrant = (int)((k + (ulong)k2) & 3);
        if (a.Sign)
        {
            r = -r;
            quadrant = (4 - quadrant) & 3;
        }
        return r;
    }

    // x -= k * pi/2 (or x += with negate), in 192-bit two's complement.
    private static void SubtractMultiple(ref ulong x0, ref ulong x1, ref ulong x2, ulong k, bool negate)
    {
        UInt128 p0 = (UInt128)k * HalfPi0;
        UInt128 p1 = (UInt128)k * HalfPi1 + (ulong)(p0 >> 64);
        ulong m0 = (ulong)p0, m1 = (ulong)p1, m2 = (ulong)(p1 >> 64) + k * HalfPi2;
        if (negate)
        {
            UInt128 s0 = (UInt128)x0 + m0;
            UInt128 s1 = (UInt128)x1 + m1 + (ulong)(s0 >> 64);
            x0 = (ulong)s0;
            x1 = (ulong)s1;
            x2 = x2 + m2 + (ulong)(s1 >> 64);
            return;
        }
        ulong borrow0 = x0 < m0 ? 1UL : 0;
        x0 -= m0;
        UInt128 t1 = (UInt128)m1 + borrow0;
        ulong borrow1 = x1 < t1 ? 1UL : 0;
        x1 = (ulong)(x1 - t1);
        x2 = x2 - m2 - borrow1;
    }

    private static double FixedToDouble(ulong x0, ulong x1, ulong x2)
    {
        bool negative = (long)x2 < 0;
        if (negative)
        {
            // Two's complement negation of the 192-bit value.
            x0 = ~x0;
            x1 = ~x1;
            x2 = ~x2;
            if (++x0 == 0 && ++x1 == 0)
                x2++;
        }
        double v = x2 + Math.ScaleB((double)x1, -64) + Math.ScaleB((double)x0, -128);
        return negative ? -v : v;
    }

    // --- Conversions ---

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

    /// <summary>An extended value rounded to the nearest double (overflowing to an infinity, underflowing to a denormal or zero).</summary>
    private static double ToDouble(in FloatParts p)
    {
        FloatEnv env = default;
        env.Masks = FpuState.ExceptionFlags;
        return BitConverter.UInt64BitsToDouble(SoftFloat.PackDouble(SoftFloat.Convert(ref env, p, 53, SoftFloat.Double)));
    }

    private static FloatParts FromDouble(double d) => SoftFloat.UnpackDouble((ulong)BitConverter.DoubleToInt64Bits(d), false) is var p
        && p.Class == FloatClass.Finite ? FloatParts.Finite(p.Sign, p.Exp, p.Sig) : p;

    private static FloatParts Negative(FloatParts p)
    {
        p.Sign = true;
        return p;
    }

    // A computed (double) result: inexact, C1 clear.
    private static FloatParts Inexact(ref FloatEnv env, double d)
    {
        env.Flags |= FpuState.Pe;
        env.RoundedUp = false;
        return FromDouble(d);
    }
}
