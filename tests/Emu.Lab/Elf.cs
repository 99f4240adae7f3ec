using System.Buffers.Binary;

namespace Emu.Lab;

// Minimal ELF64 reader: a static executable has no PT_INTERP program header.
// Used to tell Debian's busybox-static from the dynamically linked busybox, which
// would not run inside an initramfs that has no C library.
static class Elf
{
    const uint PtInterp = 3;

    public static bool IsStaticExecutable(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> header = stackalloc byte[64];
            if (f.Read(header) != 64 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
                return false;
            if (header[4] != 2 || header[5] != 1) // ELFCLASS64, little-endian
                return false;
            ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
            ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
            ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
            if (phentsize < 4 || phnum == 0 || phnum > 256)
                return false;
            var table = new byte[phentsize * phnum];
            f.Position = (long)phoff;
            f.ReadExactly(table);
            for (int i = 0; i < phnum; i++)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(i * phentsize)) == PtInterp)
                    return false;
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
