using System.Runtime.InteropServices;
using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Tests.Block;

// A flush makes every completed write durable with fdatasync; one with no change to the
// file since the last flush that had nothing in flight has nothing to do and skips it
// (a migration flushes each disk while the guest is stopped). A write still in flight
// when a flush starts may complete after its fdatasync: the next flush syncs again.
public sealed unsafe class RawFileFlushTests : IDisposable
{
    private readonly string _path = Path.Combine("/var/tmp", $"emu-flush-{Guid.NewGuid():N}.img");

    public RawFileFlushTests() => File.WriteAllBytes(_path, new byte[64 * 1024]);

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_flush_syncs_only_when_something_changed_since_the_last()
    {
        using RawFileBackend disk = RawFileBackend.Open(_path, readOnly: false, direct: false);
        Assert.True(disk.Flush());
        Assert.Equal(1, disk.Syncs); // what an earlier process wrote may not be durable yet
        Assert.True(disk.Flush());
        Assert.Equal(1, disk.Syncs);

        byte[] data = new byte[512];
        data.AsSpan().Fill(0x5A);
        fixed (byte* p = data)
        {
            var iov = new IoVec((nint)p, (nuint)data.Length);
            Assert.True(disk.Read(&iov, 1, 4096, data.Length));
            Assert.True(disk.Flush());
            Assert.Equal(1, disk.Syncs); // a read changes nothing
            data.AsSpan().Fill(0x5A);
            Assert.True(disk.Write(&iov, 1, 4096, data.Length));
        }
        Assert.True(disk.Flush());
        Assert.Equal(2, disk.Syncs);
        Assert.True(disk.Flush());
        Assert.Equal(2, disk.Syncs);
        Assert.True(disk.Discard(0, 4096));
        Assert.True(disk.Flush());
        Assert.True(disk.WriteZeroes(8192, 4096, unmap: false));
        Assert.True(disk.Flush());
        Assert.Equal(4, disk.Syncs);
        Assert.Equal(0x5A, File.ReadAllBytes(_path)[4096]);
    }

    [Fact]
    public void A_flush_while_a_write_is_in_flight_does_not_count_as_covering_it()
    {
        using RawFileBackend disk = RawFileBackend.Open(_path, readOnly: false, direct: true);
        Assert.True(disk.EnableAsync(4), "O_DIRECT with Linux AIO on /var/tmp");
        Assert.True(disk.Flush());
        long synced = disk.Syncs;
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            new Span<byte>(buffer, 4096).Fill(0xA5);
            var iov = new IoVec((nint)buffer, 4096);
            Assert.True(disk.Enqueue(&iov, 1, 0, write: true, tag: 3));
            disk.Submit();
            Assert.True(disk.Flush()); // the write may still be in flight: it syncs, and covers nothing
            Assert.Equal(synced + 1, disk.Syncs);
            Span<BlockCompletion> done = stackalloc BlockCompletion[4];
            int reaped = 0;
            while (reaped == 0)
                reaped = disk.Reap(done);
            Assert.Equal((3UL, 4096L), (done[0].Tag, done[0].Result));
            Assert.True(disk.Flush());
            Assert.Equal(synced + 2, disk.Syncs);
            Assert.True(disk.Flush());
            Assert.Equal(synced + 2, disk.Syncs);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
        Assert.Equal(0xA5, File.ReadAllBytes(_path)[0]);
    }
}
