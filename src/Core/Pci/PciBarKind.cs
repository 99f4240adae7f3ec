namespace Emu.Core.Pci;

/// <summary>The address space and width a base address register decodes.</summary>
public enum PciBarKind
{
    Io,
    Memory32,
    Memory64,
}
