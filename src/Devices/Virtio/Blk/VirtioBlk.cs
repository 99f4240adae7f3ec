namespace Emu.Devices.Virtio.Blk;

/// <summary>virtio-blk request types, status values and feature bits (virtio 1.2 section 5.2).</summary>
public static class VirtioBlk
{
    // 5.2.3 feature bits
    public const ulong FeatureSegMax = 1UL << 2;
    public const ulong FeatureReadOnly = 1UL << 5;
    public const ulong FeatureBlockSize = 1UL << 6;
    public const ulong FeatureFlush = 1UL << 9;
    public const ulong FeatureDiscard = 1UL << 13;
    public const ulong FeatureWriteZeroes = 1UL << 14;

    // 5.2.6 request types
    public const uint TypeIn = 0;
    public const uint TypeOut = 1;
    public const uint TypeFlush = 4;
    public const uint TypeGetId = 8;
    public const uint TypeDiscard = 11;
    public const uint TypeWriteZeroes = 13;

    public const byte StatusOk = 0;
    public const byte StatusIoError = 1;
    public const byte StatusUnsupported = 2;

    public const int SectorSize = 512;
    public const int HeaderSize = 16;
    public const int IdLength = 20;

    /// <summary>struct virtio_blk_discard_write_zeroes: sector (le64), num_sectors (le32), flags (le32, bit 0 unmap).</summary>
    public const int RangeSize = 16;
    public const uint RangeFlagUnmap = 1;
}
