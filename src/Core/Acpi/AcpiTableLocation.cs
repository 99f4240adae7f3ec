namespace Emu.Core.Acpi;

/// <summary>Where one structure sits in the blob: its signature ("RSD PTR " for the RSDP), guest address, offset and length.</summary>
public readonly record struct AcpiTableLocation(string Signature, ulong Address, int Offset, int Length);
