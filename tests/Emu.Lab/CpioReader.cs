using System.Globalization;
using System.Text;

namespace Emu.Lab;

// Reads back a newc cpio archive (the inverse of CpioWriter): used by the harness's own
// tests and handy for checking what an initramfs contains.
public static class CpioReader
{
    public sealed record Entry(string Name, uint Mode, byte[] Data, uint RdevMajor, uint RdevMinor)
    {
        public bool IsDirectory => (Mode & 0xF000) == CpioWriter.ModeDirectory;
        public bool IsRegularFile => (Mode & 0xF000) == CpioWriter.ModeRegular;
        public bool IsSymlink => (Mode & 0xF000) == CpioWriter.ModeSymlink;
        public bool IsCharDevice => (Mode & 0xF000) == CpioWriter.ModeCharDevice;
        public string Text => Encoding.UTF8.GetString(Data);
    }

    public static List<Entry> Read(byte[] archive)
    {
        var entries = new List<Entry>();
        int pos = 0;
        while (true)
        {
            if (pos + 110 > archive.Length)
                throw new InvalidDataException("cpio archive truncated (no trailer)");
            string magic = Encoding.ASCII.GetString(archive, pos, 6);
            if (magic != "070701")
                throw new InvalidDataException($"bad cpio magic '{magic}' at {pos}");
            uint Field(int i) => uint.Parse(Encoding.ASCII.GetString(archive, pos + 6 + i * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            uint mode = Field(1), size = Field(6), rmaj = Field(9), rmin = Field(10), nameSize = Field(11);
            string name = Encoding.UTF8.GetString(archive, pos + 110, (int)nameSize - 1);
            pos = Align(pos + 110 + (int)nameSize);
            if (name == "TRAILER!!!")
                return entries;
            var data = archive.AsSpan(pos, (int)size).ToArray();
            pos = Align(pos + (int)size);
            entries.Add(new Entry(name, mode, data, rmaj, rmin));
        }
    }

    static int Align(int p) => (p + 3) & ~3;
}
