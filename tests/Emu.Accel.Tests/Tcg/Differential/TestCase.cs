namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// One differential test: code that runs from <see cref="DifferentialLayout.CodeBase"/>
/// (the INT3 after it ends the case), the registers and RFLAGS it starts
/// with, its data region, and what the comparison must leave out because the
/// SDM leaves it undefined.
/// </summary>
internal sealed class TestCase
{
    public TestCase(string name, byte[] code, ulong[] registers, ulong rflags, ulong dataSeed, IReadOnlyList<DataPatch> patches)
    {
        if (registers.Length != 16)
            throw new ArgumentException("RAX..R15 expected", nameof(registers));
        Name = name;
        Code = code;
        Registers = registers;
        Rflags = rflags;
        DataSeed = dataSeed;
        Patches = patches;
    }

    /// <summary>The instruction(s) under test, as text.</summary>
    public string Name { get; }

    public byte[] Code { get; }

    /// <summary>RAX..R15 in encoding order.</summary>
    public ulong[] Registers { get; }

    public ulong Rflags { get; }

    public ulong DataSeed { get; }

    public IReadOnlyList<DataPatch> Patches { get; }

    /// <summary>Arithmetic flags the SDM calls undefined after this instruction with these operands.</summary>
    public ulong UndefinedFlags { get; init; }

    /// <summary>General registers (bit n: register n) whose final value the SDM leaves undefined.</summary>
    public int UndefinedRegisters { get; init; }

    /// <summary>Data bytes whose final value the SDM leaves undefined.</summary>
    public (int Offset, int Length)? UndefinedData { get; init; }

    /// <summary>Why something is masked (the SDM rule), shown with a mismatch.</summary>
    public string? MaskReason { get; init; }

    /// <summary>The data region as the case starts with it.</summary>
    public byte[] InitialData()
    {
        byte[] data = new byte[DifferentialLayout.DataSize];
        DifferentialLayout.FillData(DataSeed, data);
        foreach (DataPatch p in Patches)
            p.Bytes.CopyTo(data.AsSpan(p.Offset));
        return data;
    }
}
