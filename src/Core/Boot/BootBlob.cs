namespace Emu.Core.Boot;

/// <summary>Bytes a direct kernel boot puts into guest RAM at <see cref="Address"/>, followed by <see cref="ZeroFill"/> zero bytes (an ELF segment's .bss).</summary>
public readonly record struct BootBlob(string What, ulong Address, ReadOnlyMemory<byte> Data, ulong ZeroFill = 0)
{
    public ulong End => Address + (ulong)Data.Length + ZeroFill;
}
