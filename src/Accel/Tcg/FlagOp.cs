namespace Emu.Accel.Tcg;

/// <summary>The operation whose result the lazy arithmetic flags describe (None: they are stored in RFLAGS).</summary>
internal enum FlagOp : byte
{
    None,
    Add,
    Adc,
    Sub,
    Sbb,
    Logic,
    Inc,
    Dec,
    Neg,
    Shl,
    Shr,
    Sar,
}
