namespace Emu.Accel.Tcg;

/// <summary>What backs a physical page, as far as the CPU's fast paths care.</summary>
internal enum PageKind
{
    Ram,
    Rom,
    Io,
}
