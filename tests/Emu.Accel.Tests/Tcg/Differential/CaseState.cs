using System.Buffers.Binary;
using SdmFlags = Emu.Accel.Tests.Tcg.Differential.UndefinedFlags;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// A test case being put together: every register starts with a random
/// value and is then given a role (operand, address, counter) by the
/// generator, which also sets flags, data and what the comparison masks.
/// </summary>
internal sealed class CaseState
{
    private int _used;

    public CaseState(OperandValues values)
    {
        Values = values;
        for (int i = 0; i < 16; i++)
            Registers[i] = values.Register(8);
        // The arithmetic flags at random; IF is always set for a user program, bit 1 always reads 1.
        Rflags = 0x202 | ((ulong)values.Random.Next() & SdmFlags.All);
        DataSeed = values.Bits64();
    }

    public OperandValues Values { get; }

    public ulong[] Registers { get; } = new ulong[16];

    public ulong Rflags { get; set; }

    public ulong DataSeed { get; }

    public List<DataPatch> Patches { get; } = [];

    public ulong UndefinedFlags { get; set; }

    public int UndefinedRegisters { get; set; }

    public (int Offset, int Length)? UndefinedData { get; set; }

    public string? MaskReason { get; set; }

    public bool IsUsed(int register) => (_used & (1 << register)) != 0;

    public void Use(int register) => _used |= 1 << register;

    public void Set(int register, ulong value)
    {
        Registers[register] = value;
        Use(register);
    }

    public void SetDirection(bool down) => Rflags = down ? Rflags | 0x400 : Rflags & ~0x400UL;

    /// <summary>Stores <paramref name="size"/> bytes of <paramref name="value"/> at an offset of the data region (clipped to it).</summary>
    public void Patch(int offset, ulong value, int size)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        int from = Math.Max(offset, 0), to = Math.Min(offset + size, DifferentialLayout.DataSize);
        if (from < to)
            Patches.Add(new DataPatch(from, bytes[(from - offset)..(to - offset)]));
    }

    /// <summary>The data region's initial bytes at an offset (the seeded fill, then the patches), as a little-endian value.</summary>
    public ulong ReadData(int offset, int size)
    {
        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
            value = (value << 8) | DataByte(offset + i);
        return value;
    }

    private byte DataByte(int offset)
    {
        if (offset < 0 || offset >= DifferentialLayout.DataSize)
            return 0;
        for (int p = Patches.Count - 1; p >= 0; p--)
        {
            DataPatch patch = Patches[p];
            if (offset >= patch.Offset && offset < patch.Offset + patch.Bytes.Length)
                return patch.Bytes[offset - patch.Offset];
        }
        // Word i of the fill is splitmix64 of seed + (i + 1) * the increment.
        ulong state = DataSeed + (ulong)(offset / 8) * 0x9E3779B97F4A7C15UL;
        return (byte)(DifferentialLayout.SplitMix64(ref state) >> (8 * (offset % 8)));
    }

    public void Mask(SdmFlags.Rule rule)
    {
        UndefinedFlags |= rule.Flags;
        if (rule.Flags != 0)
            MaskReason = MaskReason == null ? rule.Citation : MaskReason + "; " + rule.Citation;
    }

    public TestCase Build(byte[] code, string? name = null) =>
        new(name ?? CaseComparer.Disassemble(code), code, (ulong[])Registers.Clone(), Rflags, DataSeed, Patches.ToArray())
        {
            UndefinedFlags = UndefinedFlags,
            UndefinedRegisters = UndefinedRegisters,
            UndefinedData = UndefinedData,
            MaskReason = MaskReason,
        };
}
