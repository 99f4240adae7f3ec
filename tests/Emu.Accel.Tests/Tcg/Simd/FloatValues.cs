namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// Floating-point bit patterns for differential tests: special values
/// (zeros, denormals, the normal extremes, infinities, quiet and signaling
/// NaNs) mixed with random values whose exponents make overflow, underflow,
/// cancellation and ties likely.
/// </summary>
internal sealed class FloatValues
{
    private readonly Random _random;

    public FloatValues(Random random) => _random = random;

    public uint Single() => (uint)Value(8, 23);

    public ulong Double() => Value(11, 52);

    /// <summary>A value related to <paramref name="other"/> (same or adjacent exponent, nearby significand): cancellation, ties.</summary>
    public uint SingleNear(uint other) => (uint)Near(other, 8, 23);

    public ulong DoubleNear(ulong other) => Near(other, 11, 52);

    private ulong Value(int exponentBits, int fractionBits)
    {
        ulong sign = (ulong)_random.Next(2) << (exponentBits + fractionBits);
        ulong maxExp = (1UL << exponentBits) - 1;
        ulong fracMask = (1UL << fractionBits) - 1;
        ulong frac = RandomBits() & fracMask;
        ulong exp;
        switch (_random.Next(16))
        {
            case 0:
                return sign; // zero
            case 1:
                exp = 0; // denormal
                if (frac == 0)
                    frac = 1;
                if (_random.Next(3) == 0)
                    frac = _random.Next(2) == 0 ? 1 : fracMask;
                break;
            case 2:
                exp = maxExp;
                frac = 0; // infinity
                break;
            case 3:
                exp = maxExp; // NaN, quiet or signaling
                if (frac == 0)
                    frac = 1;
                break;
            case 4:
                exp = (ulong)_random.Next(1, 4); // smallest normals
                break;
            case 5:
                exp = maxExp - (ulong)_random.Next(1, 4); // largest finite
                break;
            case 6:
                exp = (maxExp >> 1) + (ulong)_random.Next(-2, 3); // around 1
                frac &= ~((1UL << _random.Next(fractionBits)) - 1); // short significands: exact results and ties
                break;
            case 7:
                exp = (maxExp >> 1) + (ulong)_random.Next(0, fractionBits + 12); // integers and beyond
                break;
            default:
                exp = (ulong)_random.NextInt64(1, (long)maxExp);
                break;
        }
        return sign | (exp << fractionBits) | frac;
    }

    private ulong Near(ulong other, int exponentBits, int fractionBits)
    {
        if (_random.Next(3) == 0)
            return Value(exponentBits, fractionBits);
        ulong v = other;
        switch (_random.Next(4))
        {
            case 0:
                v ^= 1UL << (exponentBits + fractionBits); // opposite sign: cancellation
                v ^= (ulong)_random.Next(4);
                break;
            case 1:
                v += (ulong)_random.Next(-3, 4);
                break;
            case 2:
                v += (ulong)_random.Next(-2, 3) << fractionBits; // adjacent exponents
                break;
            default:
                v ^= RandomBits() & ((1UL << _random.Next(1, fractionBits)) - 1);
                break;
        }
        return v & ((1UL << (1 + exponentBits + fractionBits)) - 1);
    }

    private ulong RandomBits() => (ulong)_random.NextInt64() ^ ((ulong)_random.Next(2) << 63);

    /// <summary>MXCSR with random rounding, DAZ, FTZ and sticky flags; exceptions masked three times out of four.</summary>
    public uint Mxcsr()
    {
        uint masks = _random.Next(4) == 0 ? (uint)_random.Next(64) : 0x3F;
        uint value = (masks << 7) | ((uint)_random.Next(4) << 13);
        if (_random.Next(4) == 0)
            value |= 0x40; // DAZ
        if (_random.Next(4) == 0)
            value |= 0x8000; // FTZ
        if (_random.Next(4) == 0)
            value |= (uint)_random.Next(64);
        return value;
    }

    /// <summary>Integers for conversions: small, extremes, around powers of two and random.</summary>
    public long Integer(bool wide)
    {
        long v = _random.Next(8) switch
        {
            0 => _random.Next(-3, 4),
            1 => wide ? long.MinValue : int.MinValue,
            2 => wide ? long.MaxValue : int.MaxValue,
            3 => (1L << _random.Next(wide ? 63 : 31)) + _random.Next(-2, 3),
            4 => -(1L << _random.Next(wide ? 63 : 31)) + _random.Next(-2, 3),
            _ => wide ? _random.NextInt64(long.MinValue, long.MaxValue) : _random.Next(int.MinValue, int.MaxValue),
        };
        return wide ? v : (int)v;
    }
}
