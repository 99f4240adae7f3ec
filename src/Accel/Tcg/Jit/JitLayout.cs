namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Where generated code finds the CPU state: byte offsets of X86Cpu's fields
/// from its <see cref="X86Cpu.Rip"/> field, which the dispatcher pins and
/// passes in RBX while generated code runs, and the layout of a TLB entry.
/// Measured at run time from a live object (the runtime chooses field order),
/// so nothing here assumes a layout.
/// </summary>
internal sealed class JitLayout
{
    public required int Gpr0 { get; init; }
    public required int Rip { get; init; }
    public required int InstructionsExecuted { get; init; }
    public required int Attention { get; init; }
    public required int ExitRequested { get; init; }

    /// <summary>The compact flags slot (<see cref="X86Cpu.JitFlags"/>).</summary>
    public required int Flags { get; init; }
    public required int Budget { get; init; }
    public required int ExitBlock { get; init; }
    public required int ExitIndex { get; init; }
    public required int Tlb { get; init; }
    public required int FsBase { get; init; }
    public required int GsBase { get; init; }
    public required int Handle { get; init; }
    public required int TableKey { get; init; }
    public required int Table { get; init; }

    public required int TlbEntrySize { get; init; }
    public required int TlbReadTag { get; init; }
    public required int TlbWriteTag { get; init; }
    public required int TlbAddend { get; init; }

    public int Gpr(int index) => Gpr0 + 8 * index;
}
