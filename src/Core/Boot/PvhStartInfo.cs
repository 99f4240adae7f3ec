using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// Builds the PVH boot information (xen/include/public/arch-x86/hvm/start_info.h):
/// struct hvm_start_info, version 1, with the command line, at most one
/// module (the initrd), the RSDP address and the memory map as an array of
/// hvm_memmap_table_entry (E820 types). Laid out at the
/// <see cref="LowMemoryLayout"/> addresses: start_info, then the module
/// list, then the memory map.
/// </summary>
public static class PvhStartInfo
{
    /// <summary>"xEn3" with the 0x80 bit of the 'E' set.</summary>
    public const uint Magic = 0x336E_C578;
    public const uint Version = 1;
    public const int StartInfoSize = 56;
    public const int ModuleEntrySize = 32;
    public const int MemoryMapEntrySize = 24;

    public static int MaxMemoryMapEntries => (int)(LowMemoryLayout.PvhMemoryMapEnd - LowMemoryLayout.PvhMemoryMapAddress) / MemoryMapEntrySize;

    /// <summary>The bytes to place at <see cref="LowMemoryLayout.PvhStartInfoAddress"/>, through the end of the memory map.</summary>
    public static byte[] Build(E820Map map, ulong commandLine, ulong initrd, ulong initrdSize, ulong rsdp)
    {
        if (map.Entries.Count > MaxMemoryMapEntries)
            throw new ArgumentException($"{map.Entries.Count} memory map entries do not fit (at most {MaxMemoryMapEntries})", nameof(map));
        int modules = initrdSize > 0 ? 1 : 0;
        ulong baseAddress = LowMemoryLayout.PvhStartInfoAddress;
        int moduleOffset = (int)(LowMemoryLayout.PvhModuleListAddress - baseAddress);
        int mapOffset = (int)(LowMemoryLayout.PvhMemoryMapAddress - baseAddress);
        byte[] blob = new byte[mapOffset + map.Entries.Count * MemoryMapEntrySize];
        Span<byte> b = blob;
        BinaryPrimitives.WriteUInt32LittleEndian(b, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], 0); // flags
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], (uint)modules);
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], modules > 0 ? LowMemoryLayout.PvhModuleListAddress : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], commandLine);
        BinaryPrimitives.WriteUInt64LittleEndian(b[32..], rsdp);
        BinaryPrimitives.WriteUInt64LittleEndian(b[40..], LowMemoryLayout.PvhMemoryMapAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(b[48..], (uint)map.Entries.Count);
        if (modules > 0)
        {
            // hvm_modlist_entry: paddr, size, cmdline_paddr (none), reserved.
            BinaryPrimitives.WriteUInt64LittleEndian(b[moduleOffset..], initrd);
            BinaryPrimitives.WriteUInt64LittleEndian(b[(moduleOffset + 8)..], initrdSize);
        }
        for (int i = 0; i < map.Entries.Count; i++)
        {
            E820Entry e = map.Entries[i];
            Span<byte> slot = b.Slice(mapOffset + i * MemoryMapEntrySize, MemoryMapEntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, e.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], e.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[16..], (uint)e.Type);
        }
        return blob;
    }
}
