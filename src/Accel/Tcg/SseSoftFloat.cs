using System.Numerics;
using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// The software floating-point unit shared by the SSE and x87 handlers:
/// IEEE 754 arithmetic on single, double and double extended values with the
/// four rounding modes, exact exception detection (invalid, denormal,
/// divide-by-zero, overflow, underflow, precision), x86's NaN rules,
/// MXCSR's flush-to-zero and denormals-are-zero and the x87's precision
/// control. .NET has no dynamic rounding mode and no access to the host's
/// exception flags, so every result is computed exactly (or with enough
/// guard and sticky bits) and rounded here. Rounding and packing live in
/// this file; the operations in the SoftFloat.*.cs files.
/// Underflow follows x86: tininess is detected after rounding; a masked
/// underflow is signalled only when the result is also inexact
/// (SDM vol. 1, 4.9.1.5).
/// </summary>
internal static partial class SoftFloat
{
    public static readonly FloatFormat Single = new(24, 127), Double = new(53, 1023), Extended = new(64, 16383);

    // --- Unpacking ---

    public static FloatParts UnpackSingle(uint bits, bool denormalsAreZero)
    {
        bool sign = (bits >> 31) != 0;
        int e = (int)(bits >> 23) & 0xFF;
        uint f = bits & 0x7F_FFFF;
        if (e == 0xFF)
        {
            if (f == 0)
                return FloatParts.Infinity(sign);
            return new FloatParts
            {
                Class = (f & 0x40_0000) != 0 ? FloatClass.QuietNaN : FloatClass.SignalingNaN,
                Sign = sign,
                Sig = (1UL << 63) | ((ulong)f << 40),
            };
        }
        if (e == 0)
        {
            if (f == 0 || denormalsAreZero)
                return FloatParts.Zero(sign);
            ulong raw = (ulong)f << 40;
            int shift = BitOperations.LeadingZeroCount(raw);
            return new FloatParts { Class = FloatClass.Finite, Sign = sign, Denormal = true, Exp = -126 - shift, Sig = raw << shift };
        }
        return FloatParts.Finite(sign, e - 127, (1UL << 63) | ((ulong)f << 40));
    }

    public static FloatParts UnpackDouble(ulong bits, bool denormalsAreZero)
    {
        bool sign = (bits >> 63) != 0;
        int e = (int)(bits >> 52) & 0x7FF;
        ulong f = bits & 0xF_FFFF_FFFF_FFFF;
        if (e == 0x7FF)
        {
            if (f == 0)
                return FloatParts.Infinity(sign);
            return new FloatParts
            {
                Class = (f & 0x8_0000_0000_0000) != 0 ? FloatClass.QuietNaN : FloatClass.SignalingNaN,
                Sign = sign,
                Sig = (1UL << 63) | (f << 11),
            };
        }
        if (e == 0)
        {
            if (f == 0 || denormalsAreZero)
                return FloatParts.Zero(sign);
            ulong raw = f << 11;
            int shift = BitOperations.LeadingZeroCount(raw);
            return new FloatParts { Class = FloatClass.Finite, Sign = sign, Denormal = true, Exp = -1022 - shift, Sig = raw << shift };
        }
        return FloatParts.Finite(sign, e - 1023, (1UL << 63) | (f << 11));
    }

    /// <summary>
    /// Unpacks an 80-bit value. Pseudo-NaNs, pseudo-infinities and unnormals
    /// are unsupported (invalid operands); pseudo-denormals are denormals
    /// whose exponent is taken as 1 (SDM vol. 1, 8.2.2).
    /// </summary>
    public static FloatParts UnpackExtended(Float80 v)
    {
        bool sign = v.Sign;
        int e = v.BiasedExponent;
        ulong m = v.Significand;
        if (e == 0x7FFF)
        {
            if ((m >> 63) == 0)
                return new FloatParts { Class = FloatClass.Unsupported, Sign = sign, Sig = m };
            if ((m << 1) == 0)
                return FloatParts.Infinity(sign);
            return new FloatParts { Class = (m & (1UL << 62)) != 0 ? FloatClass.QuietNaN : FloatClass.SignalingNaN, Sign = sign, Sig = m };
        }
        if (e == 0)
        {
            if (m == 0)
                return FloatParts.Zero(sign);
            int shift = BitOperations.LeadingZeroCount(m);
            return new FloatParts { Class = FloatClass.Finite, Sign = sign, Denormal = true, Exp = -16382 - shift, Sig = m << shift };
        }
        if ((m >> 63) == 0)
            return new FloatParts { Class = FloatClass.Unsupported, Sign = sign, Exp = e - 16383, Sig = m };
        return FloatParts.Finite(sign, e - 16383, m);
    }

    // --- Packing (of rounded values: a finite value whose Sig has bit 63 clear is a denormal at Emin; an
    // operand passed through unchanged may still be in unpacked form, below Emin with bit 63 set, and is
    // denormalized back, exactly) ---

    private static ulong DenormalSignificand(in FloatParts r, int emin) =>
        (r.Sig >> 63) != 0 && r.Exp < emin ? (emin - r.Exp >= 64 ? 0 : r.Sig >> (emin - r.Exp)) : r.Sig;

    public static uint PackSingle(in FloatParts r)
    {
        uint s = r.Sign ? 0x8000_0000u : 0;
        switch (r.Class)
        {
            case FloatClass.Zero:
                return s;
            case FloatClass.Infinity:
                return s | 0x7F80_0000;
            case FloatClass.Finite:
                if ((r.Sig >> 63) == 0 || r.Exp < -126)
                    return s | (uint)(DenormalSignificand(r, -126) >> 40);
                return s | ((uint)(r.Exp + 127) << 23) | (uint)((r.Sig << 1) >> 41);
            default:
                return s | 0x7F80_0000 | ((uint)(r.Sig >> 40) & 0x7F_FFFF);
        }
    }

    public static ulong PackDouble(in FloatParts r)
    {
        ulong s = r.Sign ? 1UL << 63 : 0;
        switch (r.Class)
        {
            case FloatClass.Zero:
                return s;
            case FloatClass.Infinity:
                return s | 0x7FF0_0000_0000_0000;
            case FloatClass.Finite:
                if ((r.Sig >> 63) == 0 || r.Exp < -1022)
                    return s | (DenormalSignificand(r, -1022) >> 11);
                return s | ((ulong)(r.Exp + 1023) << 52) | ((r.Sig << 1) >> 12);
            default:
                return s | 0x7FF0_0000_0000_0000 | ((r.Sig >> 11) & 0xF_FFFF_FFFF_FFFF);
        }
    }

    public static Float80 PackExtended(in FloatParts r)
    {
        ushort s = r.Sign ? (ushort)0x8000 : (ushort)0;
        switch (r.Class)
        {
            case FloatClass.Zero:
                return new Float80(0, s);
            case FloatClass.Infinity:
                return new Float80(1UL << 63, (ushort)(s | 0x7FFF));
            case FloatClass.Finite:
                if ((r.Sig >> 63) == 0 || r.Exp < -16382)
                    return new Float80(DenormalSignificand(r, -16382), s);
                return new Float80(r.Sig, (ushort)(s | (r.Exp + 16383)));
            case FloatClass.Unsupported:
                return new Float80(r.Sig, (ushort)(s | ((r.Exp + 16383) & 0x7FFF)));
            default:
                return new Float80(r.Sig, (ushort)(s | 0x7FFF));
        }
    }

    // --- Rounding ---

    /// <summary>
    /// Rounds the exact value (sig + extra / 2^64) * 2^(exp - 63), sig with
    /// bit 63 set, to <paramref name="precision"/> bits in format
    /// <paramref name="f"/>'s exponent range under the environment's rounding
    /// mode, raising overflow, underflow and precision. Returns a finite
    /// value (bit 63 of Sig clear for a denormal at Emin), a zero or an infinity.
    /// </summary>
    public static FloatParts Round(ref FloatEnv env, bool sign, int exp, ulong sig, ulong extra, int precision, in FloatFormat f)
    {
        int shift = 64 - precision;
        int emin = f.Emin;
        bool tiny = false;
        env.RoundedUp = false;
        if (exp < emin)
        {
            tiny = exp < emin - 1 || !CarriesOut(sig, extra, shift, env.Rounding, sign);
            if (tiny)
            {
                if ((env.Masks & FpuState.Ue) == 0)
                {
                    // Unmasked underflow is signalled even for an exact result, and the value is rounded with an
                    // unbounded exponent (so PE reports that rounding); the x87 delivers it with its exponent
                    // biased up by 24576, SSE delivers nothing (SDM vol. 1, 4.9.1.5, 8.5.5 and 11.5.2).
                    env.Flags |= FpuState.Ue;
                    tiny = false;
                    if (env.X87 && f.Bias == Extended.Bias)
                        exp += 24576;
                    else
                        emin = int.MinValue;
                }
                else if (env.FlushToZero)
                {
                    // MXCSR.FTZ: a masked underflow returns zero with the true sign, setting UE and PE (SDM vol. 1, 10.2.3.3).
                    env.Flags |= FpuState.Ue | FpuState.Pe;
                    return FloatParts.Zero(sign);
                }
            }
            if (exp < emin)
            {
                ShiftRightJam(ref sig, ref extra, emin - exp);
                exp = emin;
            }
        }
        bool inexact;
        bool increment;
        if (shift == 0)
        {
            inexact = extra != 0;
            increment = RoundIncrement(env.Rounding, sign, (sig & 1) != 0, extra);
            if (increment)
            {
                sig++;
                if (sig == 0)
                {
                    sig = 1UL << 63;
                    exp++;
                }
            }
        }
        else
        {
            ulong mask = (1UL << shift) - 1;
            ulong low = sig & mask;
            // The dropped bits as a 64-bit fraction of one unit in the last place, sticky from below.
            ulong fraction = (low << (64 - shift)) | (extra != 0 ? 1UL : 0);
            inexact = low != 0 || extra != 0;
            increment = RoundIncrement(env.Rounding, sign, (sig & (1UL << shift)) != 0, fraction);
            sig &= ~mask;
            if (increment)
            {
                sig += 1UL << shift;
                if (sig == 0)
                {
                    sig = 1UL << 63;
                    exp++;
                }
            }
        }
        env.RoundedUp = increment;
        if (inexact)
        {
            env.Flags |= FpuState.Pe;
            if (tiny)
                env.Flags |= FpuState.Ue;
        }
        if (sig == 0)
            return FloatParts.Zero(sign);
        if (exp > f.Emax)
            return Overflow(ref env, sign, exp, sig, precision, f, inexact);
        return FloatParts.Finite(sign, exp, sig);
    }

    private static FloatParts Overflow(ref FloatEnv env, bool sign, int exp, ulong sig, int precision, in FloatFormat f, bool inexact)
    {
        if ((env.Masks & FpuState.Oe) == 0)
        {
            env.Flags |= FpuState.Oe;
            if (inexact)
                env.Flags |= FpuState.Pe;
            if (env.X87 && f.Bias == Extended.Bias)
                return FloatParts.Finite(sign, exp - 24576, sig); // SDM vol. 1, 8.5.4: exponent biased down by 24576
            return FloatParts.Infinity(sign);
        }
        // Masked overflow: infinity, or the largest finite value when rounding toward zero or away from the sign (SDM vol. 1, table 4-10).
        env.Flags |= FpuState.Oe | FpuState.Pe;
        int rm = env.Rounding;
        bool toInfinity = rm == FloatEnv.RoundNearest || (rm == FloatEnv.RoundUp && !sign) || (rm == FloatEnv.RoundDown && sign);
        env.RoundedUp = toInfinity;
        if (toInfinity)
            return FloatParts.Infinity(sign);
        return FloatParts.Finite(sign, f.Emax, ~0UL << (64 - precision));
    }

    /// <summary>Whether rounding the value's significand to the precision carries out to the next power of two.</summary>
    private static bool CarriesOut(ulong sig, ulong extra, int shift, int rounding, bool sign)
    {
        ulong mask = shift == 0 ? 0 : (1UL << shift) - 1;
        if ((sig | mask) != ulong.MaxValue)
            return false;
        ulong low = sig & mask;
        ulong fraction = shift == 0 ? extra : (low << (64 - shift)) | (extra != 0 ? 1UL : 0);
        return RoundIncrement(rounding, sign, true, fraction);
    }

    /// <summary>
    /// Whether to add one unit in the last place, given the rounding mode, the
    /// sign, the last kept bit and the dropped part as a 64-bit fraction of a
    /// unit (bit 63 = one half; any lower bit set = sticky).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool RoundIncrement(int rounding, bool sign, bool lsb, ulong fraction) => rounding switch
    {
        FloatEnv.RoundNearest => fraction > (1UL << 63) || (fraction == (1UL << 63) && lsb),
        FloatEnv.RoundDown => sign && fraction != 0,
        FloatEnv.RoundUp => !sign && fraction != 0,
        _ => false,
    };

    /// <summary>Shifts the 128-bit value sig:extra right, or-ing the bits shifted out into bit 0 (sticky).</summary>
    public static void ShiftRightJam(ref ulong sig, ref ulong extra, int count)
    {
        if (count <= 0)
            return;
        if (count < 64)
        {
            ulong lost = extra << (64 - count);
            extra = (sig << (64 - count)) | (extra >> count) | (lost != 0 ? 1UL : 0);
            sig >>= count;
        }
        else if (count == 64)
        {
            extra = sig | (extra != 0 ? 1UL : 0);
            sig = 0;
        }
        else if (count < 128)
        {
            ulong lost = (sig << (128 - count)) | extra;
            extra = (sig >> (count - 64)) | (lost != 0 ? 1UL : 0);
            sig = 0;
        }
        else
        {
            extra = (sig | extra) != 0 ? 1UL : 0;
            sig = 0;
        }
    }
}
