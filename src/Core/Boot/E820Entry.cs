namespace Emu.Core.Boot;

/// <summary>One range of the memory map: [<see cref="Address"/>, <see cref="End"/>).</summary>
public readonly record struct E820Entry(ulong Address, ulong Size, E820Type Type)
{
    /// <summary>The first address after the range.</summary>
    public ulong End => Address + Size;

    public bool Contains(ulong address, ulong size) => address >= Address && size <= Size && address - Address <= Size - size;

    public override string ToString() => $"[0x{Address:x}-0x{End - 1:x}] {Type}";
}
