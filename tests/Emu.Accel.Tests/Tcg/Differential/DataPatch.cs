namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>Bytes a test case places in its data region over the seeded fill (e.g. the memory operand's value).</summary>
internal readonly record struct DataPatch(int Offset, byte[] Bytes);
