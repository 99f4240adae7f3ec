using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// An uncompressed x86-64 kernel in ELF (a Linux vmlinux) booted through
/// its PVH entry point: the 32-bit physical entry address that the Xen ELF
/// note XEN_ELFNOTE_PHYS32_ENTRY (type 18, owner "Xen") carries
/// (xen/include/public/elfnote.h). Its PT_LOAD segments are loaded at their
/// physical addresses (p_paddr). Every header field is checked against the
/// file before use.
/// </summary>
public sealed class ElfKernel
{
    // ELF-64 header and program header layout (System V ABI, ELF-64 Object File Format 1.5).
    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const byte ClassElf64 = 2, DataLittleEndian = 1;
    private const ushort TypeExecutable = 2, MachineX8664 = 62;
    private const uint PtLoad = 1, PtNote = 4;
    private const int MaxProgramHeaders = 256;
    private const int MaxNotesSize = 1 << 20;

    /// <summary>XEN_ELFNOTE_PHYS32_ENTRY: the physical address of the 32-bit PVH entry point.</summary>
    public const uint XenElfNotePhys32Entry = 18;

    private ElfKernel(BootFile file, IReadOnlyList<ElfSegment> segments, uint entry)
    {
        File = file;
        Segments = segments;
        PvhEntry = entry;
    }

    public BootFile File { get; }

    public IReadOnlyList<ElfSegment> Segments { get; }

    /// <summary>Where the vCPU starts, in 32-bit protected mode without paging.</summary>
    public uint PvhEntry { get; }

    /// <summary>Lowest and highest-plus-one physical addresses the segments occupy.</summary>
    public ulong Start => Segments.Min(s => s.PhysicalAddress);

    public ulong End => Segments.Max(s => s.End);

    public static bool HasElfMagic(ReadOnlySpan<byte> file) =>
        file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    public static bool HasElfMagic(BootFile file) => file.Length >= 4 && HasElfMagic(file.ReadBytes(0, 4));

    public static ElfKernel Parse(byte[] file) => Parse(BootFile.FromBytes(file));

    /// <summary>The kernel when the file is a 64-bit ELF with a PVH entry; null when it is not (any reason).</summary>
    public static ElfKernel? TryParse(BootFile file)
    {
        try
        {
            return Parse(file);
        }
        catch (BootImageException)
        {
            return null;
        }
    }

    public static ElfKernel Parse(BootFile file)
    {
        if (!HasElfMagic(file) || file.Length < HeaderSize)
            throw Bad("not an ELF file");
        ReadOnlySpan<byte> f = file.ReadBytes(0, HeaderSize);
        if (f[4] != ClassElf64)
            throw Bad("a 32-bit ELF kernel is not supported: use a 64-bit vmlinux");
        if (f[5] != DataLittleEndian)
            throw Bad("a big-endian ELF file is not an x86 kernel");
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(f[16..]);
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(f[18..]);
        if (machine != MachineX8664)
            throw Bad($"ELF machine {machine} is not x86-64");
        if (type != TypeExecutable)
            throw Bad($"ELF type {type} is not an executable kernel ({(type == 3 ? "a shared object or position-independent program" : "e.g. an object file")})");
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(f[32..]);
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(f[54..]);
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(f[56..]);
        if (phentsize != ProgramHeaderSize)
            throw Bad($"ELF program header size {phentsize} is not {ProgramHeaderSize}");
        if (phnum == 0 || phnum > MaxProgramHeaders)
            throw Bad($"ELF file has {phnum} program headers");
        if (!Within(file, phoff, (ulong)phnum * ProgramHeaderSize))
            throw Bad("ELF program headers lie outside the file");
        ReadOnlySpan<byte> headers = file.ReadBytes((long)phoff, phnum * ProgramHeaderSize);

        var segments = new List<ElfSegment>();
        uint? entry = null;
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = headers.Slice(i * ProgramHeaderSize, ProgramHeaderSize);
            uint ptype = BinaryPrimitives.ReadUInt32LittleEndian(ph);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            ulong paddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            ulong memsz = BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            if (ptype == PtLoad)
            {
                if (!Within(file, offset, filesz))
                    throw Bad($"ELF segment {i} (offset 0x{offset:x}, 0x{filesz:x} bytes) lies outside the file");
                if (filesz > memsz)
                    throw Bad($"ELF segment {i} has more file bytes (0x{filesz:x}) than memory (0x{memsz:x})");
                if (paddr + memsz < paddr)
                    throw Bad($"ELF segment {i} at 0x{paddr:x} wraps around the address space");
                if (memsz > 0)
                    segments.Add(new ElfSegment(paddr, offset, filesz, memsz));
            }
            else if (ptype == PtNote && entry == null)
            {
                if (!Within(file, offset, filesz))
                    throw Bad($"ELF note segment {i} lies outside the file");
                if (filesz > MaxNotesSize)
                    throw Bad($"ELF note segment {i} is 0x{filesz:x} bytes, more than notes take");
                entry = FindPvhEntry(file.ReadBytes((long)offset, (int)filesz));
            }
        }
        if (segments.Count == 0)
            throw Bad("ELF file has no loadable segments");
        if (entry == null)
            throw Bad("ELF kernel has no PVH entry point (Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY): build it with CONFIG_PVH=y");
        return new ElfKernel(file, segments, entry.Value);
    }

    // Notes: namesz, descsz, type (4 bytes each), then the name and the
    // descriptor, each padded to 4 bytes.
    private static uint? FindPvhEntry(ReadOnlySpan<byte> notes)
    {
        while (notes.Length >= 12)
        {
            uint namesz = BinaryPrimitives.ReadUInt32LittleEndian(notes);
            uint descsz = BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            ulong nameEnd = 12 + Align4(namesz);
            ulong descEnd = nameEnd + Align4(descsz);
            if (descEnd > (ulong)notes.Length)
                throw Bad("ELF note runs past the end of its segment");
            ReadOnlySpan<byte> name = notes.Slice(12, (int)namesz);
            ReadOnlySpan<byte> desc = notes.Slice((int)nameEnd, (int)descsz);
            if (type == XenElfNotePhys32Entry && name.SequenceEqual("Xen\0"u8))
            {
                // Linux emits it as a pointer-sized value (8 bytes on x86-64); the entry must lie below 4 GiB.
                ulong value = descsz switch
                {
                    4 => BinaryPrimitives.ReadUInt32LittleEndian(desc),
                    8 => BinaryPrimitives.ReadUInt64LittleEndian(desc),
                    _ => throw Bad($"PVH entry note has a {descsz}-byte value, expected 4 or 8"),
                };
                if (value > uint.MaxValue)
                    throw Bad($"PVH entry point 0x{value:x} is above 4 GiB");
                return (uint)value;
            }
            notes = notes[(int)descEnd..];
        }
        return null;
    }

    private static ulong Align4(uint value) => ((ulong)value + 3) & ~3UL;

    private static bool Within(BootFile file, ulong offset, ulong length) =>
        offset <= (ulong)file.Length && length <= (ulong)file.Length - offset;

    private static BootImageException Bad(string message) => new(BootInput.Kernel, message);
}
