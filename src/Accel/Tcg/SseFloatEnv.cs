using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// The floating-point environment one instruction runs in and the
/// exceptions it raised: rounding control, exception masks, MXCSR's
/// flush-to-zero and denormals-are-zero, or the x87's precision control.
/// Exception bits use the MXCSR / x87 status-word layout (IE=1 ... PE=32).
/// </summary>
internal struct FloatEnv
{
    public const int RoundNearest = 0, RoundDown = 1, RoundUp = 2, RoundTowardZero = 3;

    public int Rounding;

    /// <summary>Exception mask bits (set: masked).</summary>
    public int Masks;

    public bool FlushToZero;
    public bool DenormalsAreZero;

    /// <summary>x87 rules: unmasked overflow and underflow deliver the result with its exponent adjusted by 24576 (SDM vol. 1, 8.5.4-8.5.5).</summary>
    public bool X87;

    /// <summary>Exceptions detected.</summary>
    public int Flags;

    /// <summary>The last rounding increased the magnitude (the x87's C1 after an inexact result).</summary>
    public bool RoundedUp;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatEnv FromMxcsr(uint mxcsr) => new()
    {
        Rounding = (int)(mxcsr >> 13) & 3,
        Masks = (int)(mxcsr >> 7) & 0x3F,
        FlushToZero = (mxcsr & 0x8000) != 0,
        DenormalsAreZero = (mxcsr & 0x40) != 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatEnv FromControlWord(ushort controlWord) => new()
    {
        Rounding = (controlWord >> 10) & 3,
        Masks = controlWord & 0x3F,
        X87 = true,
    };

    /// <summary>The significand precision the x87 control word's PC field selects: 24, 53 or 64 bits (SDM vol. 1, 8.1.5.2).</summary>
    public static int X87Precision(ushort controlWord) => ((controlWord >> 8) & 3) switch
    {
        0 => 24,
        2 => 53,
        _ => 64, // 01b is reserved; treated as double extended
    };
}
