using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// A floating-point value of any x86 format (single, double, double
/// extended) unpacked for the software floating-point unit: a finite value
/// is Sig * 2^(Exp - 63) with bit 63 of Sig set; a NaN keeps its
/// significand left-aligned (the integer-bit position at bit 63, the quiet
/// bit at bit 62), as the x87 holds a NaN loaded from any format.
/// </summary>
internal struct FloatParts
{
    public FloatClass Class;
    public bool Sign;

    /// <summary>The operand was encoded as a denormal (or x87 pseudo-denormal): the denormal-operand exception applies.</summary>
    public bool Denormal;

    public int Exp;
    public ulong Sig;

    public readonly bool IsNaN => Class is FloatClass.QuietNaN or FloatClass.SignalingNaN;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatParts Zero(bool sign) => new() { Class = FloatClass.Zero, Sign = sign };

    public static FloatParts Infinity(bool sign) => new() { Class = FloatClass.Infinity, Sign = sign, Sig = 1UL << 63 };

    /// <summary>The default NaN ("real indefinite"): negative, quiet, no payload.</summary>
    public static FloatParts DefaultNaN => new() { Class = FloatClass.QuietNaN, Sign = true, Sig = 0xC000_0000_0000_0000 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatParts Finite(bool sign, int exp, ulong sig) => new() { Class = FloatClass.Finite, Sign = sign, Exp = exp, Sig = sig };

    /// <summary>The same NaN, quiet.</summary>
    public readonly FloatParts Quieted() => new() { Class = FloatClass.QuietNaN, Sign = Sign, Sig = Sig | 0xC000_0000_0000_0000 };
}
