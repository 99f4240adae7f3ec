namespace Emu.Devices.Virtio;

/// <summary>Bits of the device status field (virtio 1.2 section 2.1).</summary>
public static class VirtioStatus
{
    public const byte Acknowledge = 1;
    public const byte Driver = 2;
    public const byte DriverOk = 4;
    public const byte FeaturesOk = 8;
    public const byte DeviceNeedsReset = 64;
    public const byte Failed = 128;
}
