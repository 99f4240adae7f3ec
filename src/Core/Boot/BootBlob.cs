namespace Emu.Core.Boot;

/// <summary>
/// <see cref="Length"/> bytes a direct kernel boot copies from
/// <see cref="Source"/> (at <see cref="SourceOffset"/>) into guest RAM at
/// <see cref="Address"/>, followed by <see cref="ZeroFill"/> zero bytes (an
/// ELF segment's .bss).
/// </summary>
public readonly record struct BootBlob(string What, ulong Address, BootFile Source, long SourceOffset, long Length, ulong ZeroFill = 0)
{
    /// <summary>A structure the VMM generated, whole.</summary>
    public BootBlob(string what, ulong address, byte[] bytes)
        : this(what, address, BootFile.FromBytes(bytes, what), 0, bytes.Length)
    {
    }

    public ulong End => Address + (ulong)Length + ZeroFill;
}
