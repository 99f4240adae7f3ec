using System.Numerics;

namespace Emu.Accel.Tcg;

// Conversions between the floating-point formats and integers, and
// rounding to an integral value (SDM vol. 1, 4.8.4 and 11.5; vol. 2 CVT*,
// FIST, FRNDINT, ROUNDSS).
internal static partial class SoftFloat
{
    /// <summary>Rounds a value of one format into another (a narrowing may overflow, underflow or be inexact; a widening is exact).</summary>
    public static FloatParts Convert(ref FloatEnv env, in FloatParts a, int precision, in FloatFormat f)
    {
        switch (a.Class)
        {
            case FloatClass.SignalingNaN:
                env.Flags |= FpuState.Ie;
                return a.Quieted();
            case FloatClass.QuietNaN:
            case FloatClass.Zero:
            case FloatClass.Infinity:
                return a;
            case FloatClass.Unsupported:
                return Invalid(ref env);
        }
        if (a.Denormal)
            env.Flags |= FpuState.De;
        return Round(ref env, a.Sign, a.Exp, a.Sig, 0, precision, f);
    }

    /// <summary>A signed integer rounded into a format.</summary>
    public static FloatParts FromInt64(ref FloatEnv env, long value, int precision, in FloatFormat f)
    {
        if (value == 0)
            return FloatParts.Zero(false);
        bool sign = value < 0;
        ulong magnitude = sign ? 0 - (ulong)value : (ulong)value;
        int lz = BitOperations.LeadingZeroCount(magnitude);
        return Round(ref env, sign, 63 - lz, magnitude << lz, 0, precision, f);
    }

    /// <summary>
    /// Converts to a signed integer of <paramref name="bits"/> bits, rounding
    /// with the environment's mode or toward zero. A NaN, an infinity or a
    /// value out of range is an invalid operation and returns the integer
    /// indefinite, 1 &lt;&lt; (bits - 1) (SDM vol. 1, 4.8.3.7 and 11.5.2.1).
    /// The result is returned as the integer's bit pattern.
    /// </summary>
    public static ulong ToInteger(ref FloatEnv env, in FloatParts a, int bits, bool truncate)
    {
        ulong indefinite = 1UL << (bits - 1);
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        env.RoundedUp = false;
        switch (a.Class)
        {
            case FloatClass.Zero:
                return 0;
            case FloatClass.Finite:
                break;
            default:
                env.Flags |= FpuState.Ie;
                return indefinite;
        }
        if (a.Exp > 63)
        {
            env.Flags |= FpuState.Ie;
            return indefinite;
        }
        ulong integer = a.Sig, fraction = 0;
        ShiftRightJam(ref integer, ref fraction, 63 - a.Exp);
        int rounding = truncate ? FloatEnv.RoundTowardZero : env.Rounding;
        bool increment = RoundIncrement(rounding, a.Sign, (integer & 1) != 0, fraction);
        if (increment)
        {
            integer++;
            if (integer == 0)
            {
                env.Flags |= FpuState.Ie;
                return indefinite;
            }
        }
        ulong limit = a.Sign ? indefinite : indefinite - 1;
        if (integer > limit)
        {
            env.Flags |= FpuState.Ie;
            return indefinite;
        }
        if (fraction != 0)
        {
            env.Flags |= FpuState.Pe;
            env.RoundedUp = increment;
        }
        return (a.Sign ? 0 - integer : integer) & mask;
    }

    /// <summary>
    /// Rounds to an integral value in the same format (FRNDINT, ROUNDSS): NaNs,
    /// infinities, zeros and values too large to have a fraction are returned
    /// as they are (an SNaN quieted, with IE).
    /// </summary>
    public static FloatParts RoundToIntegral(ref FloatEnv env, in FloatParts a, int rounding, bool signalInexact)
    {
        env.RoundedUp = false;
        switch (a.Class)
        {
            case FloatClass.SignalingNaN:
                env.Flags |= FpuState.Ie;
                return a.Quieted();
            case FloatClass.Unsupported:
                return Invalid(ref env);
            case FloatClass.Finite:
                break;
            default:
                return a;
        }
        if (a.Exp >= 63)
            return a;
        ulong integer = a.Sig, fraction = 0;
        ShiftRightJam(ref integer, ref fraction, 63 - a.Exp);
        bool increment = RoundIncrement(rounding, a.Sign, (integer & 1) != 0, fraction);
        if (increment)
            integer++;
        if (fraction != 0 && signalInexact)
        {
            env.Flags |= FpuState.Pe;
            env.RoundedUp = increment;
        }
        if (integer == 0)
            return FloatParts.Zero(a.Sign);
        int lz = BitOperations.LeadingZeroCount(integer);
        return FloatParts.Finite(a.Sign, 63 - lz, integer << lz);
    }
}
