namespace Emu.Devices.Virtio;

/// <summary>The structures of the virtio-pci register BAR, each in a 4 KiB page of its own.</summary>
public enum VirtioPciRegion
{
    Common = 0,
    Isr = 1,
    Device = 2,
    Notify = 3,
}
