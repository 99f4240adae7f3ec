using Emu.Core.Posix;
using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Tests.Posix;

// Issue 15, item 2: a descriptor that was closed can never be used again by
// number. The kernel hands the lowest free number to the next open(), so a
// system call on a stale number reaches whatever file was opened meanwhile
// (a signal of a disposed eventfd once wrote 8 bytes into a disk image).
[Collection(nameof(DescriptorNumbers))]
public sealed class DisposedDescriptorTests
{
    // Opens files until one gets <paramref name="number"/> (the lowest free one, normally the first).
    private static (List<SafeFileHandle> Opened, string Path) OpenFileNumbered(int number)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-reused-fd-{Guid.NewGuid():N}");
        var opened = new List<SafeFileHandle>();
        for (int i = 0; i < 64; i++)
        {
            SafeFileHandle handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            opened.Add(handle);
            if (handle.DangerousGetHandle() == number)
                return (opened, path);
        }
        throw new InvalidOperationException($"descriptor {number} was not reused");
    }

    [Fact]
    public void Signalling_a_disposed_eventfd_throws_and_leaves_the_file_that_reused_its_number_alone()
    {
        var eventFd = new EventFd(nonBlocking: true);
        int number = (int)eventFd.Handle.DangerousGetHandle();
        eventFd.Dispose();
        (List<SafeFileHandle> opened, string path) = OpenFileNumbered(number);
        try
        {
            Exception? signal = Record.Exception(() => eventFd.Signal());
            Assert.Equal(0, new FileInfo(path).Length);   // nothing written into the file that has the number now
            Assert.IsType<ObjectDisposedException>(signal);
            Assert.Throws<ObjectDisposedException>(() => eventFd.Wait());
        }
        finally
        {
            foreach (SafeFileHandle handle in opened)
                handle.Dispose();
            File.Delete(path);
        }
    }

    [Fact]
    public void Reading_and_writing_a_disposed_descriptor_throws()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-disposed-fd-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, new byte[16]);
        FileDescriptor file = Sys.Open(path, LibC.O_RDWR);
        int number = (int)file.DangerousGetHandle();
        file.Dispose();
        (List<SafeFileHandle> opened, string other) = OpenFileNumbered(number);
        try
        {
            Exception? write = Record.Exception(() => Sys.PwriteExact(file, new byte[8], 0, "pwrite"));
            Assert.Equal(0, new FileInfo(other).Length);
            Assert.IsType<ObjectDisposedException>(write);
            Assert.Throws<ObjectDisposedException>(() => Sys.PreadExact(file, new byte[8], 0, "pread"));
        }
        finally
        {
            foreach (SafeFileHandle handle in opened)
                handle.Dispose();
            File.Delete(path);
            File.Delete(other);
        }
    }
}
