using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>An instruction with operands, encoded at the start of the code region; where its memory operand points, if it has one.</summary>
internal sealed record GeneratedInstruction(Instruction Instruction, byte[] Bytes, int? MemoryOffset, int MemorySize);
