using System.Buffers.Binary;
using System.Text;

namespace Emu.Core.Migration;

/// <summary>
/// Writes the state stream (<see cref="MigrationStreamFormat"/>) to a
/// transport: a file, a Unix or TCP socket. Counts what it has written for
/// query-migrate. Pages that are all zeroes are sent as one kind byte.
/// </summary>
public sealed class MigrationStreamWriter
{
    private readonly Stream _output;
    private readonly byte[] _scratch = new byte[16 + MigrationStreamFormat.MaxPagesPerRecord];
    private long _bytes;
    private long _normalPages;
    private long _zeroPages;

    public MigrationStreamWriter(Stream output) => _output = output;

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>Pages sent with their contents.</summary>
    public long NormalPages => Interlocked.Read(ref _normalPages);

    /// <summary>Pages sent as zero pages.</summary>
    public long ZeroPages => Interlocked.Read(ref _zeroPages);

    public void WriteHeader()
    {
        Span<byte> header = stackalloc byte[12];
        MigrationStreamFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(8), MigrationStreamFormat.Version);
        Write(header);
    }

    public void WriteConfiguration(MigrationConfiguration configuration)
    {
        var state = new StateWriter("configuration");
        configuration.Save(state);
        Span<byte> header = stackalloc byte[5];
        header[0] = (byte)MigrationRecordKind.Configuration;
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(1), (uint)state.Written.Length);
        Write(header);
        Write(state.Written);
    }

    /// <summary>
    /// Sends <paramref name="count"/> pages starting at guest-physical
    /// <paramref name="address"/>, read from <paramref name="pages"/> (the host
    /// mapping of that RAM). The guest may be writing them meanwhile: a page
    /// changed after it was read is dirty again and is sent in a later round.
    /// Pages marked in <paramref name="unpopulated"/> (if it is not empty: one
    /// flag per page) are known to read as zero and are sent as zero pages
    /// without being read.
    /// </summary>
    public void WriteRamPages(ulong address, ReadOnlySpan<byte> pages, ReadOnlySpan<bool> unpopulated = default)
    {
        int count = pages.Length / MigrationStreamFormat.PageSize;
        if (count == 0 || count > MigrationStreamFormat.MaxPagesPerRecord || pages.Length % MigrationStreamFormat.PageSize != 0)
            throw new ArgumentOutOfRangeException(nameof(pages), "a RAM record holds 1-256 whole pages");
        if (!unpopulated.IsEmpty && unpopulated.Length != count)
            throw new ArgumentException("one flag per page", nameof(unpopulated));
        Span<byte> header = _scratch.AsSpan(0, 13 + count);
        header[0] = (byte)MigrationRecordKind.RamPages;
        BinaryPrimitives.WriteUInt64LittleEndian(header.Slice(1), address);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(9), (uint)count);
        int normal = 0;
        for (int i = 0; i < count; i++)
        {
            bool zero = (!unpopulated.IsEmpty && unpopulated[i])
                || pages.Slice(i * MigrationStreamFormat.PageSize, MigrationStreamFormat.PageSize).IndexOfAnyExcept((byte)0) < 0;
            header[13 + i] = zero ? MigrationStreamFormat.ZeroPage : MigrationStreamFormat.DataPage;
            if (!zero)
                normal++;
        }
        Write(header);
        // Consecutive data pages go out in one write straight from guest RAM: a buffered
        // stream passes a write at least its buffer's size on without copying it first.
        for (int i = 0; i < count;)
        {
            if (header[13 + i] != MigrationStreamFormat.DataPage)
            {
                i++;
                continue;
            }
            int first = i;
            while (i < count && header[13 + i] == MigrationStreamFormat.DataPage)
                i++;
            Write(pages.Slice(first * MigrationStreamFormat.PageSize, (i - first) * MigrationStreamFormat.PageSize));
        }
        Interlocked.Add(ref _normalPages, normal);
        Interlocked.Add(ref _zeroPages, count - normal);
    }

    /// <summary>Saves <paramref name="section"/>'s state and writes it as one record.</summary>
    public void WriteSection(MigrationSection section)
    {
        var state = new StateWriter(section.Id);
        section.State.SaveState(state);
        WriteSection(section.Id, section.Version, state.Written);
    }

    public void WriteSection(string id, uint version, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MigrationStreamFormat.MaxSectionLength)
            throw new MigrationException($"{id}: the state is {payload.Length} bytes, more than a section may hold");
        Span<byte> header = stackalloc byte[2 + StateWriter.MaxNameLength + 8];
        int at = WriteId(header, MigrationRecordKind.Section, id);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(at), version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(at + 4), (uint)payload.Length);
        Write(header.Slice(0, at + 8));
        Write(payload);
    }

    /// <summary>A piece of a device's opaque migration data (a VFIO device's data fd), at most 16 MiB.</summary>
    public void WriteDeviceData(string id, ReadOnlySpan<byte> data)
    {
        if (data.Length > MigrationStreamFormat.MaxDeviceDataChunk)
            throw new ArgumentOutOfRangeException(nameof(data), "device data goes in chunks of at most 16 MiB");
        Span<byte> header = stackalloc byte[2 + StateWriter.MaxNameLength + 4];
        int at = WriteId(header, MigrationRecordKind.DeviceData, id);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(at), (uint)data.Length);
        Write(header.Slice(0, at + 4));
        Write(data);
    }

    public void WriteEnd()
    {
        Span<byte> end = stackalloc byte[1];
        end[0] = (byte)MigrationRecordKind.End;
        Write(end);
        _output.Flush();
    }

    public void Flush() => _output.Flush();

    private static int WriteId(Span<byte> header, MigrationRecordKind kind, string id)
    {
        if (!StateWriter.IsValidName(id))
            throw new ArgumentException($"'{id}' is not a valid section id", nameof(id));
        header[0] = (byte)kind;
        header[1] = (byte)id.Length;
        Encoding.ASCII.GetBytes(id, header.Slice(2));
        return 2 + id.Length;
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        _output.Write(data);
        Interlocked.Add(ref _bytes, data.Length);
    }
}
