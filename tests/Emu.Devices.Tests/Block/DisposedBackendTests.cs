using Emu.Core.Posix;
using Emu.Devices.Block;
using Microsoft.Win32.SafeHandles;

namespace Emu.Devices.Tests.Block;

// Issue 15, item 2, for the block backend: once a disk backend is disposed
// (its -drive removed), nothing it still gets asked to do may reach the file
// the kernel has given its descriptor number to since. fdatasync, fallocate
// and the AIO control blocks took the bare number.
[Collection(nameof(DescriptorNumbers))]
public sealed unsafe class DisposedBackendTests
{
    private const int Size = 64 << 10;

    private static string TempFile(byte fill)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-disposed-disk-{Guid.NewGuid():N}.img");
        byte[] data = new byte[Size];
        Array.Fill(data, fill);
        File.WriteAllBytes(path, data);
        return path;
    }

    // The number of this process's descriptor open on path (from /proc/self/fd).
    private static int NumberOf(string path)
    {
        foreach (string link in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(link).LinkTarget;
            if (target == path && int.TryParse(Path.GetFileName(link), out int number))
                return number;
        }
        throw new InvalidOperationException($"no descriptor is open on {path}");
    }

    // Opens path until a descriptor gets number (the lowest free one, normally the first).
    private static List<SafeFileHandle> OpenNumbered(string path, int number)
    {
        var opened = new List<SafeFileHandle>();
        for (int i = 0; i < 64; i++)
        {
            SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            opened.Add(handle);
            if (handle.DangerousGetHandle() == number)
                return opened;
        }
        foreach (SafeFileHandle handle in opened)
            handle.Dispose();
        throw new InvalidOperationException($"descriptor {number} was not reused");
    }

    [Fact]
    public void A_disposed_backend_neither_discards_nor_zeroes_nor_syncs_the_file_that_reused_its_number()
    {
        string disk = TempFile(0x11), other = TempFile(0x5A);
        List<SafeFileHandle>? opened = null;
        try
        {
            RawFileBackend backend = RawFileBackend.Open(disk, readOnly: false, direct: false);
            int number = NumberOf(disk);
            backend.Dispose();
            opened = OpenNumbered(other, number);
            Exception? discard = Record.Exception(() => backend.Discard(0, Size));
            Exception? zeroes = Record.Exception(() => backend.WriteZeroes(0, Size, unmap: false));
            Exception? flush = Record.Exception(() => backend.Flush());
            Assert.All(File.ReadAllBytes(other), b => Assert.Equal(0x5A, b));   // no hole punched, no zeros written
            Assert.IsType<ObjectDisposedException>(discard);
            Assert.IsType<ObjectDisposedException>(zeroes);
            Assert.IsType<ObjectDisposedException>(flush);
        }
        finally
        {
            foreach (SafeFileHandle handle in opened ?? [])
                handle.Dispose();
            File.Delete(disk);
            File.Delete(other);
        }
    }

    [Fact]
    public void A_disposed_asynchronous_backend_takes_no_more_requests()
    {
        string disk = TempFile(0x11);
        byte* buffer = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            RawFileBackend backend = RawFileBackend.Open(disk, readOnly: false, direct: true);
            Assert.True(backend.EnableAsync(4));
            var iov = new IoVec((nint)buffer, 4096);
            Assert.True(backend.Enqueue(&iov, 1, 0, write: false, tag: 0));
            backend.Submit();
            backend.Dispose();   // waits for the read in flight
            // Its control blocks are freed and its descriptors closed: a request
            // queued now would name numbers that other files may have by now.
            Assert.False(backend.Enqueue(&iov, 1, 0, write: false, tag: 1));
            Assert.Equal(0, backend.Outstanding);
            Assert.Null(backend.CompletionHandle);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
            File.Delete(disk);
        }
    }
}
