namespace Emu.Accel.Tcg;

/// <summary>Identifies a decoded block: where its code is in guest-physical memory, and the address and mode it was decoded for.</summary>
internal readonly record struct BlockKey(ulong Physical, ulong Rip, ulong CsBase, int Mode);
