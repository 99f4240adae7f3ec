namespace Emu.Accel.Tcg;

/// <summary>The segment registers in their encoding order (the sreg field of MOV Sreg).</summary>
internal enum SegmentIndex
{
    Es = 0,
    Cs = 1,
    Ss = 2,
    Ds = 3,
    Fs = 4,
    Gs = 5,
}
