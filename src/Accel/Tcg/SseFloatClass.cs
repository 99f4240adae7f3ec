namespace Emu.Accel.Tcg;

/// <summary>What an unpacked floating-point operand is (see <see cref="FloatParts"/>).</summary>
internal enum FloatClass : byte
{
    Zero,
    /// <summary>A finite nonzero value (normal or denormal in its format), normalized in <see cref="FloatParts"/>.</summary>
    Finite,
    Infinity,
    QuietNaN,
    SignalingNaN,
    /// <summary>An x87 encoding the FPU does not support (pseudo-NaN, pseudo-infinity, unnormal): an invalid operand.</summary>
    Unsupported,
}
