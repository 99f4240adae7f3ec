namespace Emu.Devices.Virtio;

/// <summary>Why a virtqueue was refused; every one of them puts the device in DEVICE_NEEDS_RESET.</summary>
public enum VirtqError
{
    None,

    /// <summary>avail.idx ran more than the queue size ahead of the device (2.7.6).</summary>
    AvailIndexTooFar,

    /// <summary>A head index in the available ring is not below the queue size.</summary>
    HeadOutOfRange,

    /// <summary>A next index is not below the queue (or indirect table) size.</summary>
    NextOutOfRange,

    /// <summary>More descriptors than the queue size: a loop, or a chain the driver must not make (2.7.5.3.1).</summary>
    ChainTooLong,

    /// <summary>A buffer (or indirect table) is not entirely in guest RAM, or its length is absurd.</summary>
    AddressOutOfRange,

    /// <summary>A descriptor of length zero.</summary>
    ZeroLength,

    /// <summary>A device-readable buffer after a device-writable one (2.7.4.2).</summary>
    ReadableAfterWritable,

    /// <summary>An indirect descriptor without VIRTIO_F_INDIRECT_DESC negotiated.</summary>
    IndirectNotNegotiated,

    /// <summary>VIRTQ_DESC_F_INDIRECT together with VIRTQ_DESC_F_NEXT (2.7.5.3.1).</summary>
    IndirectWithNext,

    /// <summary>An indirect descriptor inside an indirect table (2.7.5.3.1).</summary>
    NestedIndirect,

    /// <summary>An indirect table whose length is zero, not a multiple of 16 or longer than the queue.</summary>
    BadIndirectLength,

    /// <summary>Queue size not a power of two, zero or above the maximum (2.7).</summary>
    BadQueueSize,

    /// <summary>A ring address misaligned or outside guest RAM (2.7, table of alignments).</summary>
    BadRingAddress,

    /// <summary>The request inside a valid chain is malformed for the device (too short, no status byte).</summary>
    BadRequest,
}
