using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Boot;

/// <summary>
/// A kernel or initrd as a direct boot reads it: straight from its file into
/// guest RAM at every (re)load, so the VMM does not keep a second copy of it
/// in its own memory (a vmlinux is tens of MiB). The file stays open for the
/// machine's lifetime; replacing it (a new inode) does not affect a running
/// machine. Structures the VMM generates (boot_params, page tables) are
/// in-memory boot files.
/// </summary>
public sealed class BootFile : IDisposable
{
    private readonly SafeFileHandle? _handle;
    private readonly byte[]? _bytes;

    private BootFile(SafeFileHandle? handle, byte[]? bytes, long length, string name)
    {
        _handle = handle;
        _bytes = bytes;
        Length = length;
        Name = name;
    }

    public long Length { get; }

    /// <summary>The path, or a description for in-memory data.</summary>
    public string Name { get; }

    /// <summary>Opens a file for reading; IO exceptions are the caller's to report.</summary>
    public static BootFile Open(string path)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new BootFile(handle, null, RandomAccess.GetLength(handle), path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public static BootFile FromBytes(byte[] bytes, string name = "memory")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new BootFile(null, bytes, bytes.Length, name);
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; the range must lie inside the file.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length || destination.Length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Name}: bytes 0x{offset:x}+0x{destination.Length:x} are outside the file (0x{Length:x} bytes)");
        if (_bytes != null)
        {
            _bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_handle!, destination, offset);
            if (read == 0)
                throw new IOException($"{Name} became shorter while in use");
            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>A copy of part of the file (for headers, not for whole images).</summary>
    public byte[] ReadBytes(long offset, int count)
    {
        byte[] bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }

    public void Dispose() => _handle?.Dispose();
}
