using System.Buffers.Binary;
using System.Text;
using Emu.Core.Memory;

namespace Emu.Core.Migration;

/// <summary>
/// Reads the state stream (<see cref="MigrationStreamFormat"/>) on the
/// destination. The stream is hostile input: every length is bounded before
/// anything is allocated, every page address must be page-aligned guest RAM,
/// ids must be printable, and a stream that ends early is an error that says
/// which record it ended in. Nothing here throws anything but
/// <see cref="MigrationException"/>.
/// </summary>
public sealed class MigrationStreamReader
{
    private readonly Stream _input;
    private readonly byte[] _kinds = new byte[MigrationStreamFormat.MaxPagesPerRecord];
    private long _bytes;
    private long _pages;

    public MigrationStreamReader(Stream input) => _input = input;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead => _bytes;

    /// <summary>RAM pages loaded so far.</summary>
    public long PagesLoaded => _pages;

    public void ReadHeader()
    {
        Span<byte> header = stackalloc byte[12];
        Read(header, "the stream header");
        if (!header.Slice(0, 8).SequenceEqual(MigrationStreamFormat.Magic))
            throw new MigrationException("the incoming data is not an emu migration stream (bad magic)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(8));
        if (version != MigrationStreamFormat.Version)
            throw new MigrationException($"the migration stream has format version {version}; this build reads version {MigrationStreamFormat.Version}");
    }

    /// <summary>The kind of the next record.</summary>
    public MigrationRecordKind ReadKind()
    {
        Span<byte> kind = stackalloc byte[1];
        Read(kind, "a record");
        var k = (MigrationRecordKind)kind[0];
        return k switch
        {
            MigrationRecordKind.Configuration or MigrationRecordKind.RamPages or MigrationRecordKind.Section
                or MigrationRecordKind.DeviceData or MigrationRecordKind.End => k,
            _ => throw new MigrationException($"the migration stream has a record of unknown kind {kind[0]} at byte {_bytes - 1}"),
        };
    }

    public MigrationConfiguration ReadConfiguration()
    {
        uint length = ReadU32("the configuration record");
        if (length > 64 * 1024)
            throw new MigrationException($"the configuration record claims {length} bytes");
        byte[] payload = new byte[length];
        Read(payload, "the configuration record");
        return MigrationConfiguration.Load(new StateReader("configuration", payload));
    }

    /// <summary>Reads a RAM record and writes its pages into <paramref name="ram"/>.</summary>
    public void ReadRamPages(GuestMemory ram)
    {
        Span<byte> header = stackalloc byte[12];
        Read(header, "a RAM record");
        ulong address = BinaryPrimitives.ReadUInt64LittleEndian(header);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(8));
        if (count == 0 || count > MigrationStreamFormat.MaxPagesPerRecord)
            throw new MigrationException($"a RAM record at 0x{address:x} claims {count} pages (1-{MigrationStreamFormat.MaxPagesPerRecord} allowed)");
        if ((address & (MigrationStreamFormat.PageSize - 1)) != 0)
            throw new MigrationException($"a RAM record starts at 0x{address:x}, which is not page aligned");
        ulong length = (ulong)count * MigrationStreamFormat.PageSize;
        if (!ram.TryGetSpan(new GuestAddress(address), length, out Span<byte> target))
            throw new MigrationException($"a RAM record covers 0x{address:x}-0x{address + length - 1:x}, which is not guest RAM here");
        Span<byte> kinds = _kinds.AsSpan(0, (int)count);
        Read(kinds, "a RAM record");
        // Zero pages the host never populated here read as zero already: they are not even read
        // (a read maps the zero page, and a data page written next to it later splits a huge page).
        Span<bool> unpopulated = stackalloc bool[(int)count];
        if (kinds.IndexOf(MigrationStreamFormat.ZeroPage) < 0 || !ram.TryFindUnpopulated(new GuestAddress(address), unpopulated))
            unpopulated.Clear();
        for (int i = 0; i < kinds.Length;)
        {
            Span<byte> page = target.Slice(i * MigrationStreamFormat.PageSize, MigrationStreamFormat.PageSize);
            switch (kinds[i])
            {
                case MigrationStreamFormat.ZeroPage:
                    // A page that reads as zero already is left alone (as QEMU does): writing
                    // it would allocate and clear a page of host memory for every zero page
                    // of the guest.
                    if (!unpopulated[i] && page.IndexOfAnyExcept((byte)0) >= 0)
                        page.Clear();
                    i++;
                    break;
                case MigrationStreamFormat.DataPage:
                {
                    // Consecutive data pages in one read, straight into guest RAM.
                    int first = i;
                    while (i < kinds.Length && kinds[i] == MigrationStreamFormat.DataPage)
                        i++;
                    Read(target.Slice(first * MigrationStreamFormat.PageSize, (i - first) * MigrationStreamFormat.PageSize), "a RAM page");
                    break;
                }
                default:
                    throw new MigrationException($"a RAM record at 0x{address:x} has page kind {kinds[i]}");
            }
        }
        _pages += count;
    }

    /// <summary>A section record: its id, version and payload (at most 64 MiB).</summary>
    public (string Id, uint Version, byte[] Payload) ReadSection()
    {
        string id = ReadId("a section record");
        Span<byte> header = stackalloc byte[8];
        Read(header, $"section {id}");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(4));
        if (length > MigrationStreamFormat.MaxSectionLength)
            throw new MigrationException($"section {id} claims {length} bytes, more than a section may hold");
        byte[] payload = new byte[length];
        Read(payload, $"section {id}");
        return (id, version, payload);
    }

    /// <summary>A device data record: the device's id and the bytes (at most 16 MiB).</summary>
    public (string Id, byte[] Data) ReadDeviceData()
    {
        string id = ReadId("a device data record");
        uint length = ReadU32($"device data of {id}");
        if (length > MigrationStreamFormat.MaxDeviceDataChunk)
            throw new MigrationException($"device data of {id} claims {length} bytes in one record (at most {MigrationStreamFormat.MaxDeviceDataChunk})");
        byte[] data = new byte[length];
        Read(data, $"device data of {id}");
        return (id, data);
    }

    private string ReadId(string record)
    {
        Span<byte> length = stackalloc byte[1];
        Read(length, record);
        if (length[0] == 0)
            throw new MigrationException($"{record} has an empty id");
        Span<byte> bytes = stackalloc byte[length[0]];
        Read(bytes, record);
        string id = Encoding.ASCII.GetString(bytes);
        if (!StateWriter.IsValidName(id) || bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
            throw new MigrationException($"{record} has an id with characters outside printable ASCII");
        return id;
    }

    private uint ReadU32(string record)
    {
        Span<byte> value = stackalloc byte[4];
        Read(value, record);
        return BinaryPrimitives.ReadUInt32LittleEndian(value);
    }

    private void Read(Span<byte> destination, string what)
    {
        try
        {
            _input.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            throw new MigrationException($"the migration stream ended inside {what} (after {_bytes} bytes): the source stopped sending");
        }
        catch (IOException e)
        {
            throw new MigrationException($"reading the migration stream failed inside {what}: {e.Message}", e);
        }
        catch (ObjectDisposedException e)
        {
            throw new MigrationException($"the migration stream was closed inside {what}", e);
        }
        _bytes += destination.Length;
    }
}
