using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// The loadable part of an x86 ELF executable, 32- or 64-bit (System V ABI):
/// its PT_LOAD segments at their physical addresses, and the entry point.
/// Every field is checked against the file.
/// </summary>
public static class ElfImage
{
    private const int MaxProgramHeaders = 256;
    private const ushort TypeExecutable = 2, Machine386 = 3, MachineX8664 = 62;
    private const uint PtLoad = 1;

    public static (IReadOnlyList<ElfSegment> Segments, ulong Entry) ReadLoadable(BootFile file, Func<string, BootImageException> bad)
    {
        if (file.Length < 52)
            throw bad("the ELF header is truncated");
        ReadOnlySpan<byte> h = file.ReadBytes(0, (int)Math.Min(file.Length, 64));
        bool is64 = h[4] == 2;
        if (h[4] is not (1 or 2))
            throw bad($"unknown ELF class {h[4]}");
        if (h[5] != 1)
            throw bad("a big-endian ELF file is not an x86 kernel");
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(h[16..]);
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(h[18..]);
        if (type != TypeExecutable)
            throw bad($"ELF type {type} is not an executable");
        if (machine is not (Machine386 or MachineX8664))
            throw bad($"ELF machine {machine} is not x86");
        if (is64 && h.Length < 64)
            throw bad("the ELF header is truncated");
        ulong entry = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(h[24..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
        ulong phoff = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(h[32..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[28..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 54 : 42)..]);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 56 : 44)..]);
        int expected = is64 ? 56 : 32;
        if (phentsize != expected)
            throw bad($"ELF program header size {phentsize} is not {expected}");
        if (phnum == 0 || phnum > MaxProgramHeaders)
            throw bad($"ELF file has {phnum} program headers");
        if (phoff > (ulong)file.Length || (ulong)(phnum * phentsize) > (ulong)file.Length - phoff)
            throw bad("ELF program headers lie outside the file");
        ReadOnlySpan<byte> headers = file.ReadBytes((long)phoff, phnum * phentsize);
        var segments = new List<ElfSegment>();
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = headers.Slice(i * phentsize, phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtLoad)
                continue;
            ulong offset, paddr, filesz, memsz;
            if (is64)
            {
                offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
                paddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]);
                filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
                memsz = BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            }
            else
            {
                offset = BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]);
                paddr = BinaryPrimitives.ReadUInt32LittleEndian(ph[12..]);
                filesz = BinaryPrimitives.ReadUInt32LittleEndian(ph[16..]);
                memsz = BinaryPrimitives.ReadUInt32LittleEndian(ph[20..]);
            }
            if (offset > (ulong)file.Length || filesz > (ulong)file.Length - offset)
                throw bad($"ELF segment {i} (offset 0x{offset:x}, 0x{filesz:x} bytes) lies outside the file");
            if (filesz > memsz)
                throw bad($"ELF segment {i} has more file bytes (0x{filesz:x}) than memory (0x{memsz:x})");
            if (paddr + memsz < paddr)
                throw bad($"ELF segment {i} at 0x{paddr:x} wraps around the address space");
            if (memsz > 0)
                segments.Add(new ElfSegment(paddr, offset, filesz, memsz));
        }
        if (segments.Count == 0)
            throw bad("ELF file has no loadable segments");
        return (segments, entry);
    }
}
