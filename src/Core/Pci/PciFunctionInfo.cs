namespace Emu.Core.Pci;

/// <summary>One function as QMP's query-pci and HMP's "info pci" describe it.</summary>
public sealed record PciFunctionInfo(
    PciAddress Address,
    ushort VendorId,
    ushort DeviceId,
    uint ClassCode,
    byte Revision,
    ushort SubsystemVendorId,
    ushort SubsystemId,
    int InterruptPin,
    int InterruptLine,
    string Description,
    string? Id,
    IReadOnlyList<PciBarInfo> Bars);
