using System.Text;

namespace Emu.Lab;

// Writes the "newc" cpio format the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header
// of 13 eight-digit hex fields, the NUL-terminated name padded to 4 bytes, then the data
// padded to 4 bytes; the archive ends with an entry named TRAILER!!!.
// Timestamps are 0 and inode numbers sequential, so equal input gives equal bytes.
public sealed class CpioWriter(Stream output)
{
    public const uint ModeDirectory = 0x4000;   // S_IFDIR
    public const uint ModeRegular = 0x8000;     // S_IFREG
    public const uint ModeSymlink = 0xA000;     // S_IFLNK
    public const uint ModeCharDevice = 0x2000;  // S_IFCHR

    readonly Stream _out = output;
    uint _nextInode = 1;
    long _position;

    public void AddDirectory(string name, uint permissions = 0x1ED /* 0755 */) =>
        WriteEntry(name, ModeDirectory | permissions, nlink: 2, ReadOnlySpan<byte>.Empty);

    public void AddFile(string name, ReadOnlySpan<byte> data, uint permissions = 0x1A4 /* 0644 */) =>
        WriteEntry(name, ModeRegular | permissions, nlink: 1, data);

    public void AddSymlink(string name, string target) =>
        WriteEntry(name, ModeSymlink | 0x1FF, nlink: 1, Encoding.UTF8.GetBytes(target));

    public void AddCharDevice(string name, uint major, uint minor, uint permissions = 0x180 /* 0600 */) =>
        WriteEntry(name, ModeCharDevice | permissions, nlink: 1, ReadOnlySpan<byte>.Empty, major, minor);

    // Ends the archive. The stream is left open.
    public void Finish()
    {
        WriteEntry("TRAILER!!!", 0, nlink: 1, ReadOnlySpan<byte>.Empty, inode: 0);
        _out.Flush();
    }

    void WriteEntry(string name, uint mode, uint nlink, ReadOnlySpan<byte> data, uint rdevMajor = 0, uint rdevMinor = 0, uint? inode = null)
    {
        name = name.TrimStart('/');
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder(110);
        header.Append("070701");
        foreach (uint field in new uint[]
                 {
                     inode ?? _nextInode++, mode, 0 /* uid */, 0 /* gid */, nlink, 0 /* mtime */,
                     checked((uint)data.Length), 0, 0 /* dev */, rdevMajor, rdevMinor,
                     (uint)nameBytes.Length + 1, 0 /* check */,
                 })
            header.Append(field.ToString("X8"));
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(nameBytes);
        Write([0]);
        Pad();
        Write(data);
        Pad();
    }

    void Write(ReadOnlySpan<byte> bytes)
    {
        _out.Write(bytes);
        _position += bytes.Length;
    }

    void Pad()
    {
        int pad = (int)((4 - (_position & 3)) & 3);
        if (pad > 0) Write(stackalloc byte[pad]);
    }
}
