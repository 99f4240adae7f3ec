namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// 80-bit values for x87 differential tests: the special encodings (zeros,
/// denormals, pseudo-denormals, unnormals, pseudo-NaNs and pseudo-infinities,
/// infinities, quiet and signaling NaNs), the normal extremes, values near 1,
/// integers and random values.
/// </summary>
internal sealed class X87Values
{
    private readonly Random _random;

    public X87Values(Random random) => _random = random;

    public (ulong Significand, ushort SignExponent) Next(bool allowUnsupported = true)
    {
        ushort sign = (ushort)(_random.Next(2) << 15);
        ulong m = (ulong)_random.NextInt64() ^ ((ulong)_random.Next(2) << 63);
        const ulong j = 1UL << 63;
        switch (_random.Next(allowUnsupported ? 18 : 15))
        {
            case 0:
                return (0, sign);
            case 1:
                return (m & ~j & (_random.Next(2) == 0 ? ulong.MaxValue : 0xFF), sign); // denormal
            case 2:
                return (j, (ushort)(sign | 0x7FFF)); // infinity
            case 3:
                return (m | j | (1UL << 62), (ushort)(sign | 0x7FFF)); // QNaN
            case 4:
                return ((m | j | 1) & ~(1UL << 62), (ushort)(sign | 0x7FFF)); // SNaN
            case 5:
                return (m | j, (ushort)(sign | _random.Next(1, 4))); // smallest normals
            case 6:
                return (m | j, (ushort)(sign | (0x7FFE - _random.Next(3)))); // largest
            case 7:
            case 8:
            {
                int shift = _random.Next(64);
                return ((m | j) & ~((1UL << shift) - 1) | j, (ushort)(sign | (0x3FFF + _random.Next(-3, 4)))); // near 1, short significands
            }
            case 9:
            {
                int e = _random.Next(0, 70);
                return ((m | j) & ~((1UL << Math.Max(0, 63 - e)) - 1) | j, (ushort)(sign | (0x3FFF + e))); // integers
            }
            case 10:
                return (m | j, (ushort)(sign | (0x3FFF + _random.Next(-200, 200))));
            case 15:
                return (m | j, 0); // pseudo-denormal
            case 16:
                return (m & ~j, (ushort)(sign | _random.Next(1, 0x7FFF))); // unnormal
            case 17:
                return (m & ~j, (ushort)(sign | 0x7FFF)); // pseudo-NaN / pseudo-infinity
            default:
                return (m | j, (ushort)(sign | _random.Next(1, 0x7FFF)));
        }
    }

    /// <summary>A control word: random RC, usually 64-bit precision, exceptions usually masked.</summary>
    public ushort ControlWord()
    {
        int pc = _random.Next(4) switch { 0 => 0, 1 => 2, _ => 3 };
        int masks = _random.Next(5) == 0 ? _random.Next(64) : 0x3F;
        return (ushort)(0x40 | masks | (pc << 8) | (_random.Next(4) << 10));
    }
}
