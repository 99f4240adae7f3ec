using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// An x87 double extended-precision value as the registers and m80fp hold
/// it: a 64-bit significand with an explicit integer bit (bit 63) and a
/// 16-bit word with the sign (bit 15) and the biased exponent (bias 16383).
/// Intel SDM vol. 1, 4.2.2 and 8.2.2.
/// </summary>
internal readonly struct Float80
{
    public readonly ulong Significand;
    public readonly ushort SignExponent;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float80(ulong significand, ushort signExponent)
    {
        Significand = significand;
        SignExponent = signExponent;
    }

    public bool Sign => (SignExponent & 0x8000) != 0;

    public int BiasedExponent => SignExponent & 0x7FFF;

    /// <summary>The real indefinite: the QNaN that masked invalid operations return (SDM vol. 1, 4.8.3.7).</summary>
    public static Float80 Indefinite => new(0xC000_0000_0000_0000, 0xFFFF);

    public static Float80 Zero(bool sign) => new(0, sign ? (ushort)0x8000 : (ushort)0);

    public static Float80 One => new(0x8000_0000_0000_0000, 0x3FFF);

    public static Float80 Infinity(bool sign) => new(0x8000_0000_0000_0000, sign ? (ushort)0xFFFF : (ushort)0x7FFF);

    public Float80 Negate() => new(Significand, (ushort)(SignExponent ^ 0x8000));

    public Float80 Abs() => new(Significand, (ushort)(SignExponent & 0x7FFF));

    public bool IsNaN => (SignExponent & 0x7FFF) == 0x7FFF && (Significand & 0x7FFF_FFFF_FFFF_FFFF) != 0 && (Significand >> 63) != 0;

    public bool IsSignalingNaN => IsNaN && (Significand & 0x4000_0000_0000_0000) == 0;

    /// <summary>
    /// The tag FSTENV/FSAVE report for a register that is not empty: 00 valid,
    /// 01 zero, 10 special (NaN, infinity, denormal, unsupported encodings).
    /// </summary>
    public static int Tag(ulong significand, ushort signExponent)
    {
        int exponent = signExponent & 0x7FFF;
        if (exponent == 0x7FFF)
            return 2;
        if (exponent == 0)
            return significand == 0 ? 1 : 2;
        return (significand >> 63) != 0 ? 0 : 2; // unnormals are unsupported: special
    }
}
