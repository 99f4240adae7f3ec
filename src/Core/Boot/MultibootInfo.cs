using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// The Multiboot information structure the loader hands the kernel in EBX
/// (Multiboot Specification 0.6.96, section 3.3): memory sizes and map, the
/// command line, the modules (the -initrd file), the loader's name.
/// </summary>
public static class MultibootInfo
{
    private const uint HasMemory = 1 << 0, HasCommandLine = 1 << 2, HasModules = 1 << 3, HasMemoryMap = 1 << 6, HasLoaderName = 1 << 9;

    public const int Size = 88;
    public const int ModuleEntrySize = 16;

    /// <summary>A memory map entry: size (of the rest, 20), base, length, type (1 = RAM).</summary>
    public const int MemoryMapEntrySize = 24;

    public static byte[] Build(E820Map map, uint commandLine, uint loaderName, uint modules, int moduleCount, uint memoryMap)
    {
        var info = new byte[Size];
        Span<byte> s = info;
        uint flags = HasMemory | HasCommandLine | HasMemoryMap | HasLoaderName | (moduleCount > 0 ? HasModules : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(s, flags);
        // mem_lower: KiB of RAM from 0 (at most 640); mem_upper: KiB from 1 MiB to the first hole.
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(Math.Min(RamFrom(map, 0), LowMemoryLayout.LegacyAreaStart) >> 10));
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)Math.Min(RamFrom(map, LowMemoryLayout.HighMemoryStart) >> 10, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], commandLine);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)moduleCount);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], modules);
        BinaryPrimitives.WriteUInt32LittleEndian(s[44..], (uint)(map.Entries.Count * MemoryMapEntrySize));
        BinaryPrimitives.WriteUInt32LittleEndian(s[48..], memoryMap);
        BinaryPrimitives.WriteUInt32LittleEndian(s[64..], loaderName);
        return info;
    }

    public static byte[] BuildMemoryMap(E820Map map)
    {
        var bytes = new byte[map.Entries.Count * MemoryMapEntrySize];
        for (int i = 0; i < map.Entries.Count; i++)
        {
            Span<byte> e = bytes.AsSpan(i * MemoryMapEntrySize, MemoryMapEntrySize);
            E820Entry entry = map.Entries[i];
            BinaryPrimitives.WriteUInt32LittleEndian(e, MemoryMapEntrySize - 4);
            BinaryPrimitives.WriteUInt64LittleEndian(e[4..], entry.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(e[12..], entry.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], (uint)entry.Type);
        }
        return bytes;
    }

    /// <summary>One module entry: start, end (exclusive), the address of its string, reserved.</summary>
    public static byte[] BuildModule(uint start, uint end, uint name)
    {
        var bytes = new byte[ModuleEntrySize];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, start);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), end);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), name);
        return bytes;
    }

    // Contiguous RAM from an address, as the memory map has it.
    private static ulong RamFrom(E820Map map, ulong address)
    {
        ulong end = address;
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (E820Entry e in map.Entries)
            {
                if (e.Type == E820Type.Ram && e.Address <= end && e.End > end)
                {
                    end = e.End;
                    grew = true;
                }
            }
        }
        return end - address;
    }
}
