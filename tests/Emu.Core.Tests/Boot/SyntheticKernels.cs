using System.Buffers.Binary;

namespace Emu.Core.Tests.Boot;

/// <summary>
/// Small kernel images built field by field from the boot protocol
/// (boot.rst) and the ELF-64 format, for the cases a real kernel file
/// cannot show: old protocols, missing flags, broken headers.
/// </summary>
internal static class SyntheticKernels
{
    public const int SetupSectors = 4;

    public static byte[] BzImage(ushort version = 0x020F, byte loadFlags = 0x01, ushort xloadFlags = 0x01, uint initSize = 0x80_0000,
        ulong prefAddress = 0x100_0000, uint cmdlineSize = 0x7FF, uint initrdAddrMax = 0x7FFF_FFFF, bool relocatable = true, int kernelBytes = 0x2000)
    {
        byte[] image = new byte[(SetupSectors + 1) * 512 + kernelBytes];
        Span<byte> s = image;
        s[0x1F1] = SetupSectors;
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x1FE..], 0xAA55);
        s[0x200] = 0xEB; // jmp rel8 over the header: its end is 0x202 + this byte
        s[0x201] = 0x6A;
        "HdrS"u8.CopyTo(s[0x202..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x206..], version);
        s[0x211] = loadFlags;
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x214..], 0x10_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x22C..], initrdAddrMax);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x230..], 0x20_0000);
        s[0x234] = relocatable ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x236..], xloadFlags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x238..], cmdlineSize);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x248..], 0x100); // payload_offset
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x24C..], 0x40); // payload_length
        BinaryPrimitives.WriteUInt64LittleEndian(s[0x258..], prefAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x260..], initSize);
        // A recognisable protected-mode part.
        for (int i = (SetupSectors + 1) * 512; i < image.Length; i++)
            image[i] = (byte)(i * 7);
        return image;
    }

    public sealed record Segment(ulong PhysicalAddress, byte[] Data, ulong MemorySize);

    /// <summary>An ELF-64 executable with the given PT_LOAD segments and, unless <paramref name="pvhEntry"/> is null, a Xen PVH entry note.</summary>
    public static byte[] Elf(IReadOnlyList<Segment> segments, ulong? pvhEntry, int noteValueSize = 8, byte elfClass = 2, ushort machine = 62)
    {
        const int headerSize = 64, phSize = 56;
        byte[] note = BuildNote(pvhEntry, noteValueSize);
        int phnum = segments.Count + 1;
        int dataStart = headerSize + phnum * phSize;
        var file = new MemoryStream();
        file.SetLength(dataStart);
        var offsets = new List<long>();
        foreach (Segment seg in segments)
        {
            offsets.Add(file.Length);
            file.Position = file.Length;
            file.Write(seg.Data);
        }
        long noteOffset = file.Length;
        file.Position = file.Length;
        file.Write(note);
        byte[] bytes = file.ToArray();
        Span<byte> s = bytes;
        s[0] = 0x7F; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F';
        s[4] = elfClass; s[5] = 1; s[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], machine);
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], headerSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], headerSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], phSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], (ushort)phnum);
        for (int i = 0; i < segments.Count; i++)
            WriteProgramHeader(s.Slice(headerSize + i * phSize, phSize), 1, (ulong)offsets[i], segments[i].PhysicalAddress, (ulong)segments[i].Data.Length, segments[i].MemorySize);
        WriteProgramHeader(s.Slice(headerSize + segments.Count * phSize, phSize), 4, (ulong)noteOffset, 0, (ulong)note.Length, (ulong)note.Length);
        return bytes;
    }

    private static void WriteProgramHeader(Span<byte> ph, uint type, ulong offset, ulong paddr, ulong filesz, ulong memsz)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(ph, type);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[8..], offset);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], paddr | 0xFFFF_FFFF_8000_0000); // a kernel-like virtual address
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], paddr);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], filesz);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], memsz);
    }

    // A GNU build-id note first (a note the loader must skip), then the Xen one.
    private static byte[] BuildNote(ulong? pvhEntry, int valueSize)
    {
        var notes = new MemoryStream();
        void Note(byte[] name, uint type, byte[] desc)
        {
            Span<byte> head = stackalloc byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)desc.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], type);
            notes.Write(head);
            notes.Write(name);
            notes.Write(new byte[(4 - name.Length % 4) % 4]);
            notes.Write(desc);
            notes.Write(new byte[(4 - desc.Length % 4) % 4]);
        }
        Note("GNU\0"u8.ToArray(), 3, new byte[20]);
        if (pvhEntry is { } entry)
        {
            byte[] value = new byte[valueSize];
            if (valueSize == 8)
                BinaryPrimitives.WriteUInt64LittleEndian(value, entry);
            else if (valueSize == 4)
                BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)entry);
            Note("Xen\0"u8.ToArray(), 18, value);
        }
        return notes.ToArray();
    }
}
