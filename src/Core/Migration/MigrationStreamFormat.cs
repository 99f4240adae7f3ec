namespace Emu.Core.Migration;

/// <summary>
/// The constants of the state stream. A stream is the magic and the format
/// version, then records, each a kind byte and its body:
/// <list type="bullet">
/// <item>Configuration: u32 length, a <see cref="StateWriter"/> payload (<see cref="MigrationConfiguration"/>).</item>
/// <item>RamPages: u64 guest-physical address (page aligned), u32 count (1-<see cref="MaxPagesPerRecord"/>),
/// count kind bytes (0: the page is all zeroes, 1: its bytes follow), then the 4 KiB of each page of kind 1, in order.</item>
/// <item>Section: u8 id length, the id (ASCII), u32 version, u32 length, a <see cref="StateWriter"/> payload.</item>
/// <item>DeviceData: u8 id length, the id, u32 length (at most <see cref="MaxDeviceDataChunk"/>), the bytes.</item>
/// <item>End.</item>
/// </list>
/// All integers are little-endian. RAM comes first and may come again
/// (pages dirtied since they were sent), the device sections follow once the
/// guest has stopped, and End closes the stream.
/// </summary>
public static class MigrationStreamFormat
{
    /// <summary>"EMU-VMST".</summary>
    public static ReadOnlySpan<byte> Magic => "EMU-VMST"u8;

    public const uint Version = 1;

    public const int PageSize = 4096;

    public const int PageShift = 12;

    public const int MaxPagesPerRecord = 256;

    /// <summary>The largest section payload a destination accepts (64 MiB).</summary>
    public const int MaxSectionLength = 64 << 20;

    /// <summary>The largest device data record (16 MiB); larger device state comes in several.</summary>
    public const int MaxDeviceDataChunk = 16 << 20;

    public const byte ZeroPage = 0;

    public const byte DataPage = 1;
}
