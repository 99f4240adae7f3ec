namespace Emu.Core.Pci;

/// <summary>A BAR as listings show it: where the guest has it now (null when not decoded).</summary>
public sealed record PciBarInfo(int Index, PciBarKind Kind, bool Prefetchable, ulong Size, ulong? Address);
