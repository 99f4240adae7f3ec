namespace Emu.Accel.Tcg;

/// <summary>An IEEE binary format's significand precision and exponent range (SDM vol. 1, table 4-3).</summary>
internal readonly struct FloatFormat
{
    public readonly int Precision;
    public readonly int Bias;

    public FloatFormat(int precision, int bias)
    {
        Precision = precision;
        Bias = bias;
    }

    /// <summary>The exponent of the smallest normal number.</summary>
    public int Emin => 1 - Bias;

    /// <summary>The exponent of the largest finite number.</summary>
    public int Emax => Bias;
}
