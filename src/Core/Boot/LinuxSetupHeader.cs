using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// The fields of a bzImage's setup header that a 64-bit boot loader reads
/// (Documentation/arch/x86/boot.rst, "The real-mode kernel header"). The
/// header sits at offset 0x1F1 of the image, and also of boot_params, which
/// the loader fills from a copy of it.
/// </summary>
public sealed class LinuxSetupHeader
{
    // Offsets in the image and in boot_params (boot.rst; zero-page.rst).
    public const int Start = 0x1F1;
    public const int SetupSectsOffset = 0x1F1;
    public const int BootFlagOffset = 0x1FE;
    public const int JumpOffset = 0x200;
    public const int MagicOffset = 0x202;
    public const int VersionOffset = 0x206;
    public const int TypeOfLoaderOffset = 0x210;
    public const int LoadFlagsOffset = 0x211;
    public const int Code32StartOffset = 0x214;
    public const int RamdiskImageOffset = 0x218;
    public const int RamdiskSizeOffset = 0x21C;
    public const int CmdLinePtrOffset = 0x228;
    public const int InitrdAddrMaxOffset = 0x22C;
    public const int KernelAlignmentOffset = 0x230;
    public const int RelocatableKernelOffset = 0x234;
    public const int XLoadFlagsOffset = 0x236;
    public const int CmdlineSizeOffset = 0x238;
    public const int PayloadOffsetOffset = 0x248;
    public const int PayloadLengthOffset = 0x24C;
    public const int PrefAddressOffset = 0x258;
    public const int InitSizeOffset = 0x260;

    /// <summary>Where the header ends at the latest: boot_params' next field (edd_mbr_sig_buffer) starts at 0x290.</summary>
    public const int MaxEnd = 0x290;

    public const ushort BootFlag = 0xAA55;
    public const uint Magic = 0x5372_6448; // "HdrS"

    /// <summary>2.12: xloadflags, and with it the 64-bit entry point (Linux 3.8).</summary>
    public const ushort MinimumVersion = 0x020C;

    /// <summary>loadflags bit 0: the protected-mode code is loaded at 0x100000 (a bzImage, not a zImage).</summary>
    public const byte LoadedHigh = 0x01;

    /// <summary>xloadflags bit 0: the kernel has the 64-bit entry point at its load address + 0x200.</summary>
    public const ushort KernelHas64BitEntry = 0x01;

    /// <summary>type_of_loader 0xFF: a boot loader without an assigned ID.</summary>
    public const byte UndefinedLoader = 0xFF;

    /// <summary>The 64-bit entry point's offset from the load address.</summary>
    public const ulong Entry64Offset = 0x200;

    private LinuxSetupHeader()
    {
    }

    public int SetupSectors { get; private init; }

    /// <summary>Boot protocol version, major in the high byte (0x020F = 2.15).</summary>
    public ushort Version { get; private init; }

    public byte LoadFlags { get; private init; }

    public ushort XLoadFlags { get; private init; }

    /// <summary>Highest address the initrd may occupy (inclusive).</summary>
    public uint InitrdAddrMax { get; private init; }

    public uint KernelAlignment { get; private init; }

    public bool Relocatable { get; private init; }

    /// <summary>Longest command line the kernel accepts, without the terminating NUL.</summary>
    public uint CmdlineSize { get; private init; }

    /// <summary>Where the compressed payload starts, from the start of the protected-mode code.</summary>
    public uint PayloadOffset { get; private init; }

    public uint PayloadLength { get; private init; }

    /// <summary>Preferred load address; for a relocatable kernel the lowest address it decompresses to.</summary>
    public ulong PrefAddress { get; private init; }

    /// <summary>Bytes of linear memory the kernel needs from its (decompression) address until it has set itself up.</summary>
    public uint InitSize { get; private init; }

    /// <summary>The header's length in bytes from 0x1F1: it ends at 0x202 + the byte at 0x201.</summary>
    public int Length { get; private init; }

    public string VersionText => FormatVersion(Version);

    /// <summary>"2.06", "2.12", as boot.rst writes protocol versions.</summary>
    public static string FormatVersion(ushort version) => $"{version >> 8}.{version & 0xFF:D2}";

    /// <summary>Reads and checks the header of a bzImage; throws <see cref="BootImageException"/> naming the first problem.</summary>
    public static LinuxSetupHeader Parse(ReadOnlySpan<byte> image)
    {
        if (image.Length < MaxEnd)
            throw Bad($"{image.Length} bytes is too short for a Linux kernel image");
        if (BinaryPrimitives.ReadUInt32LittleEndian(image[MagicOffset..]) != Magic)
            throw Bad("not a Linux bzImage (no \"HdrS\" setup header) and not an ELF file");
        if (BinaryPrimitives.ReadUInt16LittleEndian(image[BootFlagOffset..]) != BootFlag)
            throw Bad("bzImage setup header has no 0xAA55 boot flag");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(image[VersionOffset..]);
        if (version < MinimumVersion)
            throw Bad($"boot protocol {FormatVersion(version)} is too old: the 64-bit entry point needs 2.12 or later (Linux 3.8+)");
        byte loadFlags = image[LoadFlagsOffset];
        if ((loadFlags & LoadedHigh) == 0)
            throw Bad("a zImage (loaded low) is not supported: use a bzImage");
        ushort xloadFlags = BinaryPrimitives.ReadUInt16LittleEndian(image[XLoadFlagsOffset..]);
        if ((xloadFlags & KernelHas64BitEntry) == 0)
            throw Bad("the kernel has no 64-bit entry point (xloadflags bit 0): a 32-bit kernel cannot be booted directly");
        int length = JumpOffset + 2 + image[JumpOffset + 1] - Start;
        if (Start + length > MaxEnd || Start + length < InitSizeOffset + 4)
            throw Bad($"setup header length {length} is not plausible for protocol {FormatVersion(version)}");
        int setupSectors = image[SetupSectsOffset] == 0 ? 4 : image[SetupSectsOffset];
        uint alignment = BinaryPrimitives.ReadUInt32LittleEndian(image[KernelAlignmentOffset..]);
        bool relocatable = image[RelocatableKernelOffset] != 0;
        if (relocatable && (alignment == 0 || (alignment & (alignment - 1)) != 0))
            throw Bad($"kernel_alignment 0x{alignment:x} is not a power of two");
        return new LinuxSetupHeader
        {
            SetupSectors = setupSectors,
            Version = version,
            LoadFlags = loadFlags,
            XLoadFlags = xloadFlags,
            InitrdAddrMax = BinaryPrimitives.ReadUInt32LittleEndian(image[InitrdAddrMaxOffset..]),
            KernelAlignment = alignment,
            Relocatable = relocatable,
            CmdlineSize = BinaryPrimitives.ReadUInt32LittleEndian(image[CmdlineSizeOffset..]),
            PayloadOffset = BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadOffsetOffset..]),
            PayloadLength = BinaryPrimitives.ReadUInt32LittleEndian(image[PayloadLengthOffset..]),
            PrefAddress = BinaryPrimitives.ReadUInt64LittleEndian(image[PrefAddressOffset..]),
            InitSize = BinaryPrimitives.ReadUInt32LittleEndian(image[InitSizeOffset..]),
            Length = length,
        };
    }

    private static BootImageException Bad(string message) => new(BootInput.Kernel, message);
}
