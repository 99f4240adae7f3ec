using System.Buffers.Binary;
using CsCheck;
using Emu.Core.Memory;
using Emu.Core.Migration;

namespace Emu.Core.Tests.Migration;

// The container format: a stream written by MigrationStreamWriter reads back
// record by record; RAM pages land where they belong (zero pages zero what
// was there); and any truncation, corruption or out-of-bounds value in an
// incoming stream ends in a MigrationException, never another exception.
public sealed class StreamFormatTests : IDisposable
{
    private readonly StreamTestRam _source = new();
    private readonly StreamTestRam _destination = new();

    public void Dispose()
    {
        _source.Dispose();
        _destination.Dispose();
    }

    private static MigrationConfiguration Config(string machine = "q35-1.0", int cpus = 2) =>
        new(machine, "tcg", cpus, [(0UL, 0x40000UL), (0x100000UL, 0x20000UL)], SourceRunning: true);

    private sealed class Counter : IMigratable
    {
        public uint Value;

        public void SaveState(StateWriter state) => state.WriteU32("value", Value);

        public void LoadState(StateReader state) => Value = state.ReadU32("value");
    }

    private byte[] ValidStream()
    {
        var stream = new MemoryStream();
        var w = new MigrationStreamWriter(stream);
        w.WriteHeader();
        w.WriteConfiguration(Config());
        Span<byte> page = _source.Memory.GetSpan(new GuestAddress(0x3000), 0x2000);
        page.Fill(0x5A);
        w.WriteRamPages(0x2000, _source.Memory.GetSpan(new GuestAddress(0x2000), 0x3000));
        w.WriteDeviceData("/machine/peripheral/vfio0", [1, 2, 3]);
        w.WriteSection(new MigrationSection("/machine/unattached/counter", 1, new Counter { Value = 42 }));
        w.WriteEnd();
        return stream.ToArray();
    }

    [Fact]
    public void A_stream_reads_back_record_by_record()
    {
        _destination.Memory.GetSpan(new GuestAddress(0x2000), 0x1000).Fill(0xEE); // a zero page must clear this
        var r = new MigrationStreamReader(new MemoryStream(ValidStream()));
        r.ReadHeader();
        Assert.Equal(MigrationRecordKind.Configuration, r.ReadKind());
        Assert.Equal(Config().RamRanges, r.ReadConfiguration().RamRanges);
        Assert.Equal(MigrationRecordKind.RamPages, r.ReadKind());
        r.ReadRamPages(_destination.Memory);
        Assert.Equal(3, r.PagesLoaded);
        Assert.True(_destination.Memory.GetSpan(new GuestAddress(0x2000), 0x1000).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(_destination.Memory.GetSpan(new GuestAddress(0x3000), 0x2000).IndexOfAnyExcept((byte)0x5A) < 0);
        Assert.Equal(MigrationRecordKind.DeviceData, r.ReadKind());
        (string id, byte[] data) = r.ReadDeviceData();
        Assert.Equal("/machine/peripheral/vfio0", id);
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
        Assert.Equal(MigrationRecordKind.Section, r.ReadKind());
        (string section, uint version, byte[] payload) = r.ReadSection();
        var counter = new Counter();
        counter.LoadState(new StateReader(section, payload, version));
        Assert.Equal(("/machine/unattached/counter", 1u, 42u), (section, version, counter.Value));
        Assert.Equal(MigrationRecordKind.End, r.ReadKind());
    }

    [Fact]
    public void Zero_pages_cost_one_byte()
    {
        var stream = new MemoryStream();
        var w = new MigrationStreamWriter(stream);
        w.WriteRamPages(0, _source.Memory.GetSpan(new GuestAddress(0), 64 * 4096));
        Assert.Equal(1 + 8 + 4 + 64, stream.Length);
        Assert.Equal((64, 0), (w.ZeroPages, w.NormalPages));
    }

    [Fact]
    public void Runs_of_data_pages_between_zero_pages_land_intact_through_a_buffer_smaller_than_a_run()
    {
        // 64 pages: data runs of 1, 2, 20 (longer than the 16-page buffer below, so they pass
        // it without a copy) and 9 pages, with zero pages between them and at both ends.
        Span<byte> source = _source.Memory.GetSpan(new GuestAddress(0), 64 * 4096);
        bool[] data = new bool[64];
        foreach ((int first, int count) in new[] { (1, 1), (3, 2), (8, 20), (40, 9) })
        {
            for (int i = first; i < first + count; i++)
            {
                data[i] = true;
                source.Slice(i * 4096, 4096).Fill((byte)(i + 1));
                source[i * 4096 + 4095] = (byte)(0xF0 ^ i); // not a fill of one byte: offsets matter
            }
        }
        var stream = new MemoryStream();
        var buffered = new BufferedStream(stream, 16 * 4096);
        var w = new MigrationStreamWriter(buffered);
        w.WriteRamPages(0, source);
        buffered.Flush();
        Assert.Equal((32, 32), (w.NormalPages, w.ZeroPages));
        Span<byte> destination = _destination.Memory.GetSpan(new GuestAddress(0), 64 * 4096);
        destination.Fill(0xEE); // what was there before: every zero page must clear it
        stream.Position = 0;
        var r = new MigrationStreamReader(new BufferedStream(stream, 16 * 4096));
        Assert.Equal(MigrationRecordKind.RamPages, r.ReadKind());
        r.ReadRamPages(_destination.Memory);
        Assert.True(destination.SequenceEqual(source));
        Assert.Equal(64, r.PagesLoaded);
    }

    [Theory]
    [InlineData("q35-2.0", 2, "Machine type received is 'q35-2.0' and local is 'q35-1.0'")]
    [InlineData("q35-1.0", 4, "the source has 4 vCPUs and this VM 2")]
    public void A_different_machine_is_refused_before_anything_loads(string machine, int cpus, string message)
    {
        var e = Assert.Throws<MigrationException>(() => Config(machine, cpus).CheckCompatibleWith(Config()));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_different_ram_layout_is_refused()
    {
        MigrationConfiguration bigger = Config() with { RamRanges = [(0UL, 0x80000UL)] };
        Assert.Contains("give the destination the same -m", Assert.Throws<MigrationException>(() => bigger.CheckCompatibleWith(Config())).Message);
    }

    [Fact]
    public void Pages_outside_guest_ram_or_misaligned_are_refused()
    {
        foreach ((ulong address, string why) in new[] { (0x40000UL, "not guest RAM"), (0x3F000UL, "not guest RAM"), (0x1001UL, "not page aligned") })
        {
            byte[] record = new byte[12 + 2 + 8192];
            BinaryPrimitives.WriteUInt64LittleEndian(record, address);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), 2);
            record[12] = record[13] = 1;
            var r = new MigrationStreamReader(new MemoryStream(record));
            Assert.Contains(why, Assert.Throws<MigrationException>(() => r.ReadRamPages(_destination.Memory)).Message);
        }
    }

    [Theory]
    [InlineData(0u, "claims 0 pages")]
    [InlineData(257u, "claims 257 pages")]
    public void Page_counts_are_bounded(uint count, string why)
    {
        byte[] record = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), count);
        var r = new MigrationStreamReader(new MemoryStream(record));
        Assert.Contains(why, Assert.Throws<MigrationException>(() => r.ReadRamPages(_destination.Memory)).Message);
    }

    [Fact]
    public void Oversized_lengths_are_refused_before_allocating()
    {
        byte[] section = [(byte)'x', 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        var r = new MigrationStreamReader(new MemoryStream([1, .. section]));
        Assert.Contains("more than a section may hold", Assert.Throws<MigrationException>(() => r.ReadSection()).Message);
        byte[] data = [1, (byte)'x', 0xFF, 0xFF, 0xFF, 0xFF];
        r = new MigrationStreamReader(new MemoryStream(data));
        Assert.Contains("in one record", Assert.Throws<MigrationException>(() => r.ReadDeviceData()).Message);
    }

    [Fact]
    public void A_wrong_magic_or_version_is_refused()
    {
        Assert.Contains("bad magic", Assert.Throws<MigrationException>(() => new MigrationStreamReader(new MemoryStream(new byte[12])).ReadHeader()).Message);
        byte[] header = ValidStream()[..12];
        header[8] = 2;
        Assert.Contains("format version 2", Assert.Throws<MigrationException>(() => new MigrationStreamReader(new MemoryStream(header)).ReadHeader()).Message);
    }

    [Fact]
    public void A_stream_cut_anywhere_ends_in_a_migration_exception()
    {
        byte[] stream = ValidStream();
        for (int length = 0; length < stream.Length - 1; length += length < 64 ? 1 : 97)
        {
            var e = Assert.Throws<MigrationException>(() => ReadAll(stream.AsSpan(0, length).ToArray()));
            Assert.Contains("ended inside", e.Message);
        }
    }

    // Every mutation of a valid stream either reads or fails with a MigrationException.
    [Fact]
    public void Corrupted_streams_never_escape_as_other_exceptions()
    {
        byte[] valid = ValidStream();
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[1, 4]).Sample((at, value, count) =>
        {
            byte[] corrupt = (byte[])valid.Clone();
            for (int i = 0; i < count && at + i < corrupt.Length; i++)
                corrupt[at + i] ^= (byte)(value | 1);
            try
            {
                ReadAll(corrupt);
            }
            catch (MigrationException)
            {
                // refused: fine
            }
        }, iter: 3000);
    }

    private void ReadAll(byte[] bytes)
    {
        var r = new MigrationStreamReader(new MemoryStream(bytes));
        r.ReadHeader();
        while (true)
        {
            switch (r.ReadKind())
            {
                case MigrationRecordKind.Configuration:
                    r.ReadConfiguration().CheckCompatibleWith(Config());
                    break;
                case MigrationRecordKind.RamPages:
                    r.ReadRamPages(_destination.Memory);
                    break;
                case MigrationRecordKind.DeviceData:
                    r.ReadDeviceData();
                    break;
                case MigrationRecordKind.Section:
                {
                    (string id, uint version, byte[] payload) = r.ReadSection();
                    var state = new StateReader(id, payload, version);
                    new Counter().LoadState(state);
                    state.EnsureAllRead();
                    break;
                }
                default:
                    return;
            }
        }
    }
}
