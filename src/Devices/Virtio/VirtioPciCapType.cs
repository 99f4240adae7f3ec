namespace Emu.Devices.Virtio;

/// <summary>cfg_type of the virtio vendor-specific PCI capabilities (virtio 1.2 section 4.1.4).</summary>
public static class VirtioPciCapType
{
    public const byte CommonConfig = 1;
    public const byte NotifyConfig = 2;
    public const byte IsrConfig = 3;
    public const byte DeviceConfig = 4;
    public const byte PciConfig = 5;
}
