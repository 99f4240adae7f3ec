namespace Emu.Core.Boot;

/// <summary>A PT_LOAD program header: <see cref="FileSize"/> bytes from the file, then zeros up to <see cref="MemorySize"/>, at physical address <see cref="PhysicalAddress"/>.</summary>
public readonly record struct ElfSegment(ulong PhysicalAddress, ulong FileOffset, ulong FileSize, ulong MemorySize)
{
    public ulong End => PhysicalAddress + MemorySize;
}
