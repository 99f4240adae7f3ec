namespace Emu.Devices.Virtio;

/// <summary>Device-independent feature bits (virtio 1.2 section 6, "Reserved Feature Bits").</summary>
public static class VirtioFeatures
{
    /// <summary>VIRTIO_F_INDIRECT_DESC (28): descriptors may point to tables of descriptors (2.7.5.3).</summary>
    public const ulong IndirectDesc = 1UL << 28;

    /// <summary>VIRTIO_F_EVENT_IDX (29): used_event / avail_event suppress notifications (2.7.7, 2.7.10).</summary>
    public const ulong EventIdx = 1UL << 29;

    /// <summary>VIRTIO_F_VERSION_1 (32): compliance with virtio 1.x; modern devices require it.</summary>
    public const ulong Version1 = 1UL << 32;

    /// <summary>What every device of this transport offers on top of its own features.</summary>
    public const ulong Transport = IndirectDesc | EventIdx | Version1;
}
