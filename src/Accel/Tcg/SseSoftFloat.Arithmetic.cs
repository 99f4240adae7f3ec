using System.Numerics;

namespace Emu.Accel.Tcg;

// Addition, subtraction, multiplication, division, square root and
// comparison, each exact before the one rounding (IEEE 754 clause 5.4),
// with x86's special cases (SDM vol. 1, 4.8.3 and table 4-7).
internal static partial class SoftFloat
{
    public const int Less = 0, Equal = 1, Greater = 2, Unordered = 3;

    /// <summary>
    /// The NaN result of an operation with a NaN operand. SSE returns the first
    /// source's NaN if it has one, else the second's; the x87 prefers a QNaN to
    /// an SNaN, then the larger significand. Either way the result is quiet, and
    /// an SNaN operand is an invalid operation (SDM vol. 1, table 4-7).
    /// </summary>
    public static FloatParts PropagateNaN(ref FloatEnv env, in FloatParts a, in FloatParts b)
    {
        bool aSignaling = a.Class == FloatClass.SignalingNaN, bSignaling = b.Class == FloatClass.SignalingNaN;
        if (aSignaling || bSignaling)
            env.Flags |= FpuState.Ie;
        if (!env.X87)
            return a.IsNaN ? a.Quieted() : b.Quieted();
        if (!a.IsNaN)
            return b.Quieted();
        if (!b.IsNaN)
            return a.Quieted();
        if (aSignaling != bSignaling)
            return aSignaling ? b.Quieted() : a.Quieted();
        ulong ma = a.Sig & 0x7FFF_FFFF_FFFF_FFFF, mb = b.Sig & 0x7FFF_FFFF_FFFF_FFFF;
        if (ma != mb)
            return ma > mb ? a.Quieted() : b.Quieted();
        return !a.Sign ? a.Quieted() : b.Quieted();
    }

    /// <summary>The invalid-operation result: IE and the default NaN.</summary>
    public static FloatParts Invalid(ref FloatEnv env)
    {
        env.Flags |= FpuState.Ie;
        return FloatParts.DefaultNaN;
    }

    // Operands that make any arithmetic operation return a NaN without computing: NaNs, and the x87's unsupported encodings.
    private static bool SpecialNaNOperands(ref FloatEnv env, in FloatParts a, in FloatParts b, out FloatParts result)
    {
        if (a.IsNaN || b.IsNaN)
        {
            if (a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported)
            {
                result = Invalid(ref env);
                return true;
            }
            result = PropagateNaN(ref env, a, b);
            return true;
        }
        if (a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported)
        {
            result = Invalid(ref env);
            return true;
        }
        result = default;
        return false;
    }

    private static void DenormalOperands(ref FloatEnv env, in FloatParts a, in FloatParts b)
    {
        if (a.Denormal || b.Denormal)
            env.Flags |= FpuState.De;
    }

    /// <summary>a + b, or a - b with <paramref name="subtract"/>.</summary>
    public static FloatParts Add(ref FloatEnv env, in FloatParts a, in FloatParts b, bool subtract, int precision, in FloatFormat f)
    {
        if (SpecialNaNOperands(ref env, a, b, out FloatParts special))
            return special;
        bool signB = b.Sign ^ subtract;
        if (a.Class == FloatClass.Infinity)
        {
            if (b.Class == FloatClass.Infinity && a.Sign != signB)
                return Invalid(ref env);
            DenormalOperands(ref env, a, b);
            return a;
        }
        if (b.Class == FloatClass.Infinity)
        {
            DenormalOperands(ref env, a, b);
            return FloatParts.Infinity(signB);
        }
        DenormalOperands(ref env, a, b);
        if (a.Class == FloatClass.Zero && b.Class == FloatClass.Zero)
        {
            // The sum of opposite zeros is +0, or -0 when rounding down (IEEE 754 clause 6.3).
            bool sign = a.Sign == signB ? a.Sign : env.Rounding == FloatEnv.RoundDown;
            return FloatParts.Zero(sign);
        }
        if (a.Class == FloatClass.Zero)
            return Round(ref env, signB, b.Exp, b.Sig, 0, precision, f);
        if (b.Class == FloatClass.Zero)
            return Round(ref env, a.Sign, a.Exp, a.Sig, 0, precision, f);

        // Both finite and nonzero: x is the operand of larger magnitude.
        bool signX = a.Sign, signY = signB;
        int expX = a.Exp, expY = b.Exp;
        ulong sigX = a.Sig, sigY = b.Sig;
        if (expY > expX || (expY == expX && sigY > sigX))
        {
            (signX, signY) = (signY, signX);
            (expX, expY) = (expY, expX);
            (sigX, sigY) = (sigY, sigX);
        }
        ulong extraY = 0;
        ShiftRightJam(ref sigY, ref extraY, expX - expY);
        if (signX == signY)
        {
            ulong lo = extraY;
            ulong hi = sigX + sigY;
            bool carry = hi < sigX;
            if (carry)
            {
                lo = (hi << 63) | (lo >> 1) | (lo & 1);
                hi = (hi >> 1) | (1UL << 63);
                expX++;
            }
            return Round(ref env, signX, expX, hi, lo, precision, f);
        }
        else
        {
            ulong lo = 0 - extraY;
            ulong hi = sigX - sigY - (extraY != 0 ? 1UL : 0);
            if (hi == 0 && lo == 0)
                return FloatParts.Zero(env.Rounding == FloatEnv.RoundDown);
            int lz = hi != 0 ? BitOperations.LeadingZeroCount(hi) : 64 + BitOperations.LeadingZeroCount(lo);
            if (lz >= 64)
            {
                hi = lo << (lz - 64);
                lo = 0;
            }
            else if (lz > 0)
            {
                hi = (hi << lz) | (lo >> (64 - lz));
                lo <<= lz;
            }
            return Round(ref env, signX, expX - lz, hi, lo, precision, f);
        }
    }

    public static FloatParts Multiply(ref FloatEnv env, in FloatParts a, in FloatParts b, int precision, in FloatFormat f)
    {
        if (SpecialNaNOperands(ref env, a, b, out FloatParts special))
            return special;
        bool sign = a.Sign ^ b.Sign;
        if (a.Class == FloatClass.Infinity || b.Class == FloatClass.Infinity)
        {
            if (a.Class == FloatClass.Zero || b.Class == FloatClass.Zero)
                return Invalid(ref env);
            DenormalOperands(ref env, a, b);
            return FloatParts.Infinity(sign);
        }
        DenormalOperands(ref env, a, b);
        if (a.Class == FloatClass.Zero || b.Class == FloatClass.Zero)
            return FloatParts.Zero(sign);
        ulong hi = Math.BigMul(a.Sig, b.Sig, out ulong lo);
        int exp = a.Exp + b.Exp + 1;
        if ((hi >> 63) == 0)
        {
            hi = (hi << 1) | (lo >> 63);
            lo <<= 1;
            exp--;
        }
        return Round(ref env, sign, exp, hi, lo, precision, f);
    }

    public static FloatParts Divide(ref FloatEnv env, in FloatParts a, in FloatParts b, int precision, in FloatFormat f)
    {
        if (SpecialNaNOperands(ref env, a, b, out FloatParts special))
            return special;
        bool sign = a.Sign ^ b.Sign;
        if (a.Class == FloatClass.Infinity)
        {
            if (b.Class == FloatClass.Infinity)
                return Invalid(ref env);
            DenormalOperands(ref env, a, b);
            return FloatParts.Infinity(sign);
        }
        if (b.Class == FloatClass.Infinity)
        {
            DenormalOperands(ref env, a, b);
            return FloatParts.Zero(sign);
        }
        if (b.Class == FloatClass.Zero)
        {
            if (a.Class == FloatClass.Zero)
                return Invalid(ref env);
            // Divide-by-zero takes priority over a denormal dividend (SDM vol. 1, 4.9.2): DE is not reported.
            env.Flags |= FpuState.Ze;
            return FloatParts.Infinity(sign);
        }
        DenormalOperands(ref env, a, b);
        if (a.Class == FloatClass.Zero)
            return FloatParts.Zero(sign);
        // Q = sigA * 2^128 / sigB in two 64-bit steps; the remainder is sticky.
        UInt128 n = (UInt128)a.Sig << 64;
        UInt128 qHigh = n / b.Sig;
        ulong r = (ulong)(n - qHigh * b.Sig);
        UInt128 n2 = (UInt128)r << 64;
        ulong qLow = (ulong)(n2 / b.Sig);
        bool sticky = (ulong)(n2 - (UInt128)qLow * b.Sig) != 0;
        ulong hi, lo;
        int exp;
        if ((qHigh >> 64) != 0)
        {
            hi = (ulong)(qHigh >> 1);
            lo = ((ulong)qHigh << 63) | (qLow >> 1) | (qLow & 1) | (sticky ? 1UL : 0);
            exp = a.Exp - b.Exp;
        }
        else
        {
            hi = (ulong)qHigh;
            lo = qLow | (sticky ? 1UL : 0);
            exp = a.Exp - b.Exp - 1;
        }
        return Round(ref env, sign, exp, hi, lo, precision, f);
    }

    public static FloatParts SquareRoot(ref FloatEnv env, in FloatParts a, int precision, in FloatFormat f)
    {
        if (a.IsNaN)
            return PropagateNaN(ref env, a, a);
        if (a.Class == FloatClass.Unsupported)
            return Invalid(ref env);
        if (a.Class == FloatClass.Zero)
            return a; // sqrt(-0) = -0
        if (a.Sign)
            return Invalid(ref env);
        if (a.Class == FloatClass.Infinity)
            return a;
        if (a.Denormal)
            env.Flags |= FpuState.De;
        // Make the exponent even: sqrt(M * 2^(2k)) = sqrt(M) * 2^k with M a 127- or 128-bit integer.
        UInt128 m = (a.Exp & 1) != 0 ? (UInt128)a.Sig << 64 : (UInt128)a.Sig << 63;
        ulong root = IntegerSquareRoot(m, out UInt128 remainder);
        // The next bit is 1 when sqrt(M) >= root + 1/2, i.e. remainder > root; sqrt(M) is never exactly root + 1/2.
        ulong extra = remainder > root ? 0xC000_0000_0000_0000 : remainder != 0 ? 1UL : 0;
        return Round(ref env, false, a.Exp >> 1, root, extra, precision, f);
    }

    /// <summary>floor(sqrt(m)) for 2^126 &lt;= m &lt; 2^128, and m - root^2.</summary>
    private static ulong IntegerSquareRoot(UInt128 m, out UInt128 remainder)
    {
        double estimate = Math.Sqrt((double)m);
        UInt128 x = estimate >= 18446744073709551615.0 ? ulong.MaxValue : (ulong)estimate;
        x = (x + m / x) >> 1; // one Newton step from a 53-bit estimate: within a unit or two
        if (x > ulong.MaxValue)
            x = ulong.MaxValue;
        while (x * x > m)
            x--;
        while (x < ulong.MaxValue && (x + 1) * (x + 1) <= m)
            x++;
        remainder = m - x * x;
        return (ulong)x;
    }

    /// <summary>
    /// Compares a with b: Less, Equal, Greater or Unordered. A NaN operand is
    /// an invalid operation when it is signaling, or with <paramref name="signalOnQuiet"/>
    /// (the ordered comparisons: COMISS, CMPLTPS, FCOM). Zeros compare equal whatever their signs.
    /// </summary>
    public static int Compare(ref FloatEnv env, in FloatParts a, in FloatParts b, bool signalOnQuiet)
    {
        if (a.IsNaN || b.IsNaN || a.Class == FloatClass.Unsupported || b.Class == FloatClass.Unsupported)
        {
            if (signalOnQuiet || a.Class is FloatClass.SignalingNaN or FloatClass.Unsupported
                || b.Class is FloatClass.SignalingNaN or FloatClass.Unsupported)
                env.Flags |= FpuState.Ie;
            return Unordered;
        }
        DenormalOperands(ref env, a, b);
        return CompareOrdered(a, b);
    }

    /// <summary>The order of two values that are not NaNs.</summary>
    public static int CompareOrdered(in FloatParts a, in FloatParts b)
    {
        if (a.Class == FloatClass.Zero && b.Class == FloatClass.Zero)
            return Equal;
        if (a.Sign != b.Sign)
            return a.Sign ? Less : Greater;
        int magnitude = CompareMagnitude(a, b);
        if (magnitude == 0)
            return Equal;
        return (magnitude < 0) != a.Sign ? Less : Greater;
    }

    private static int CompareMagnitude(in FloatParts a, in FloatParts b)
    {
        int rankA = Rank(a.Class), rankB = Rank(b.Class);
        if (rankA != rankB)
            return rankA < rankB ? -1 : 1;
        if (a.Class != FloatClass.Finite)
            return 0;
        if (a.Exp != b.Exp)
            return a.Exp < b.Exp ? -1 : 1;
        return a.Sig == b.Sig ? 0 : a.Sig < b.Sig ? -1 : 1;
    }

    private static int Rank(FloatClass c) => c switch
    {
        FloatClass.Zero => 0,
        FloatClass.Finite => 1,
        _ => 2,
    };
}
