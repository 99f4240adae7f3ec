using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// A kernel with a Multiboot (version 1) header, as GRUB legacy and QEMU's
/// -kernel load it (the format of x86 CPU test suites such as
/// kvm-unit-tests). The header (magic 0x1BADB002, flags, checksum) lies
/// 4-byte aligned in the first 8 KiB; with flag 16 its address fields say
/// where the image loads (the "a.out kludge"), otherwise the image is an
/// ELF32 or ELF64 executable whose PT_LOAD segments load at their physical
/// addresses. Every field is checked against the file.
/// </summary>
public sealed class MultibootKernel
{
    public const uint HeaderMagic = 0x1BAD_B002;

    /// <summary>What the loader leaves in EAX for the kernel.</summary>
    public const uint BootloaderMagic = 0x2BAD_B002;

    private const int SearchLength = 8192;
    private const uint FlagPageAlignModules = 1 << 0, FlagMemoryInfo = 1 << 1, FlagVideoMode = 1 << 2, FlagAddresses = 1 << 16;

    private MultibootKernel(BootFile file, IReadOnlyList<ElfSegment> segments, uint entry, uint flags)
    {
        File = file;
        Segments = segments;
        Entry = entry;
        Flags = flags;
    }

    public BootFile File { get; }

    /// <summary>What to load: file bytes, then zeros (bss), at physical addresses.</summary>
    public IReadOnlyList<ElfSegment> Segments { get; }

    /// <summary>Where the CPU starts, in 32-bit protected mode without paging.</summary>
    public uint Entry { get; }

    public uint Flags { get; }

    /// <summary>The kernel asks for modules aligned to 4 KiB.</summary>
    public bool PageAlignModules => (Flags & FlagPageAlignModules) != 0;

    public ulong End => Segments.Max(s => s.End);

    /// <summary>Whether the file has a valid Multiboot header (magic and checksum) in its first 8 KiB.</summary>
    public static bool HasHeader(BootFile file) => FindHeader(file.ReadBytes(0, (int)Math.Min(file.Length, SearchLength))) >= 0;

    public static MultibootKernel Parse(BootFile file)
    {
        ReadOnlySpan<byte> start = file.ReadBytes(0, (int)Math.Min(file.Length, SearchLength));
        int at = FindHeader(start);
        if (at < 0)
            throw Bad("no Multiboot header in the first 8 KiB");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 4)..]);
        // Bits 0-15 are requirements: a loader that cannot meet one must refuse the kernel.
        if ((flags & FlagVideoMode) != 0)
            throw Bad("the Multiboot kernel needs a graphics mode (header flag 2); emu is headless");
        if ((flags & 0xFFF8) != 0)
            throw Bad($"the Multiboot kernel requires features this loader does not know (header flags 0x{flags & 0xFFFF:x})");
        if ((flags & FlagAddresses) != 0)
            return ParseAddresses(file, start, at, flags);
        if (!ElfKernel.HasElfMagic(file))
            throw Bad("a Multiboot kernel without load addresses (header flag 16) must be an ELF file");
        (IReadOnlyList<ElfSegment> segments, ulong entry) = ElfImage.ReadLoadable(file, Bad);
        if (entry > uint.MaxValue)
            throw Bad($"the ELF entry point 0x{entry:x} is above 4 GiB");
        return new MultibootKernel(file, segments, (uint)entry, flags);
    }

    // The a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr.
    private static MultibootKernel ParseAddresses(BootFile file, ReadOnlySpan<byte> start, int at, uint flags)
    {
        if (at + 32 > start.Length)
            throw Bad("the Multiboot header's address fields run past the file");
        uint headerAddress = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 12)..]);
        uint loadAddress = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 16)..]);
        uint loadEnd = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 20)..]);
        uint bssEnd = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 24)..]);
        uint entry = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 28)..]);
        if (headerAddress < loadAddress || headerAddress - loadAddress > (uint)at)
            throw Bad($"Multiboot header address 0x{headerAddress:x} is inconsistent with load address 0x{loadAddress:x}");
        long fileOffset = at - (headerAddress - loadAddress);
        long fileBytes = loadEnd == 0 ? file.Length - fileOffset : (long)loadEnd - loadAddress;
        if (loadEnd != 0 && loadEnd < loadAddress)
            throw Bad($"Multiboot load end 0x{loadEnd:x} is below the load address 0x{loadAddress:x}");
        if (fileBytes <= 0 || fileOffset + fileBytes > file.Length)
            throw Bad("the Multiboot image's load range lies outside the file");
        ulong memory = (ulong)fileBytes;
        if (bssEnd != 0)
        {
            if (bssEnd < loadAddress + (ulong)fileBytes)
                throw Bad($"Multiboot bss end 0x{bssEnd:x} is below the end of the loaded image");
            memory = bssEnd - (ulong)loadAddress;
        }
        if (entry < loadAddress || entry >= loadAddress + (ulong)fileBytes)
            throw Bad($"Multiboot entry point 0x{entry:x} is not inside the loaded image");
        var segment = new ElfSegment(loadAddress, (ulong)fileOffset, (ulong)fileBytes, memory);
        return new MultibootKernel(file, [segment], entry, flags);
    }

    // The header: magic, flags and checksum (the three sum to 0 mod 2^32), 4-byte aligned.
    private static int FindHeader(ReadOnlySpan<byte> start)
    {
        for (int at = 0; at + 12 <= start.Length; at += 4)
        {
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(start[at..]);
            if (magic != HeaderMagic)
                continue;
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 4)..]);
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(start[(at + 8)..]);
            if (unchecked(magic + flags + checksum) == 0)
                return at;
        }
        return -1;
    }

    private static BootImageException Bad(string message) => new(BootInput.Kernel, message);
}
