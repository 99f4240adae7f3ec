namespace Emu.Accel.Tcg;

/// <summary>What an Iced register names in this CPU's state.</summary>
internal enum RegisterKind : byte
{
    None,
    Gpr,
    Segment,
    Control,
    Debug,
    Xmm,
    Mmx,
    St,
    InstructionPointer,
}
