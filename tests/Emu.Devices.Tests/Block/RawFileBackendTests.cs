using System.Runtime.InteropServices;
using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Tests.Block;

// Issue 15, item 9: the raw backend on block devices, short transfers and the end of the file.
public sealed unsafe class RawFileBackendTests
{
    private static string TempFile(byte[] content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-raw-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Pattern(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
            data[i] = (byte)((uint)(i + 1) * 2654435761u >> 24); // no short period: a shifted copy differs
        return data;
    }

    // FileInfo.Length is st_size, which is 0 for a block device: the disk had 0 sectors.
    [HostBlockDeviceFact]
    public void AHostBlockDeviceHasItsCapacity()
    {
        using HostBlockDevice loop = HostBlockDevice.Attach(3 << 20);
        using RawFileBackend backend = RawFileBackend.Open(loop.Device, readOnly: true, direct: false);
        Assert.Equal(loop.Bytes, backend.Length);
    }

    // A read across the end of a file whose size is not a sector multiple: the
    // bytes past the end read as zeros. The zeros went at `done` bytes past the
    // already advanced list, so the ones right after the end kept stale data.
    [Fact]
    public void ReadingPastTheEndZeroesExactlyTheBytesPastTheEnd()
    {
        byte[] content = Pattern(1000);
        string path = TempFile(content);
        try
        {
            using RawFileBackend backend = RawFileBackend.Open(path, readOnly: true, direct: false);
            byte[] a = new byte[512], b = new byte[1024];
            Array.Fill(a, (byte)0xAA);
            Array.Fill(b, (byte)0xAA);
            fixed (byte* pa = a, pb = b)
            {
                IoVec* iov = stackalloc IoVec[2];
                iov[0] = new IoVec((nint)pa, 512);
                iov[1] = new IoVec((nint)pb, 1024);
                Assert.True(backend.Read(iov, 2, 0, 1536));
            }
            Assert.Equal(content.AsSpan(0, 512).ToArray(), a);
            Assert.Equal(content.AsSpan(512, 488).ToArray(), b.AsSpan(0, 488).ToArray());
            Assert.All(b.AsSpan(488).ToArray(), x => Assert.Equal(0, x));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // With O_DIRECT the kernel may move part of a request and then refuse the
    // rest (EINVAL); the bounce buffer takes over. It restarted at the
    // request's first byte with the list already advanced, so the data landed
    // shifted. Here the "kernel" moves 1536 bytes, then refuses unaligned lists.
    [Fact]
    public void ABounceAfterAPartialDirectTransferContinuesWhereItStopped()
    {
        byte[] disk = Pattern(8192);
        int calls = 0;
        IoCall read = (fd, iov, count, offset) =>
        {
            calls++;
            if (calls > 1 && (iov->Base & 511) != 0)
            {
                Marshal.SetLastPInvokeError(LibC.EINVAL);
                return -1;
            }
            long limit = calls == 1 ? 1536 : long.MaxValue, moved = 0;
            for (int i = 0; i < count && moved < limit; i++)
            {
                int n = (int)Math.Min((long)iov[i].Length, Math.Min(limit - moved, disk.Length - (offset + moved)));
                disk.AsSpan((int)(offset + moved), n).CopyTo(new Span<byte>((void*)iov[i].Base, n));
                moved += n;
            }
            return (nint)moved;
        };
        IoCall write = (fd, iov, count, offset) => -1;
        using var handle = new FileDescriptor(0, ownsHandle: false);
        using RawFileBackend backend = RawFileBackend.ForTest(handle, disk.Length, direct: true, read, write);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(8192, 4096);
        try
        {
            new Span<byte>(buffer, 8192).Fill(0xEE);
            IoVec* iov = stackalloc IoVec[2];
            iov[0] = new IoVec((nint)buffer, 1024);
            iov[1] = new IoVec((nint)(buffer + 1024 + 8), 3072); // misaligned: the second call is refused
            Assert.True(backend.Read(iov, 2, 1024, 4096));
            Assert.Equal(disk.AsSpan(1024, 1024).ToArray(), new Span<byte>(buffer, 1024).ToArray());
            Assert.Equal(disk.AsSpan(2048, 3072).ToArray(), new Span<byte>(buffer + 1032, 3072).ToArray());
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }
}
