namespace Emu.Core.Acpi;

/// <summary>A range of guest-physical addresses or I/O ports: <see cref="Base"/> and <see cref="Size"/> bytes.</summary>
public readonly record struct AcpiAddressRange(ulong Base, ulong Size)
{
    /// <summary>The last address inside the range (ACPI descriptors carry inclusive maxima).</summary>
    public ulong Last => Base + Size - 1;
}
