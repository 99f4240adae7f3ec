namespace Emu.Devices.Virtio;

/// <summary>Virtio device IDs (virtio 1.2 section 5); the PCI device ID is 0x1040 + ID (4.1.2.1).</summary>
public static class VirtioDeviceId
{
    public const int Net = 1;
    public const int Block = 2;
    public const int Console = 3;
    public const int Entropy = 4;
}
