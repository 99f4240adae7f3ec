namespace Emu.Core.Boot;

/// <summary>
/// A Linux bzImage: a real-mode setup part of (setup_sects + 1) 512-byte
/// sectors holding the setup header, followed by the protected-mode kernel
/// (the decompressor with the compressed kernel inside it). A 64-bit loader
/// copies only the protected-mode part into guest memory and hands the kernel
/// a boot_params built from the header.
/// </summary>
public sealed class BzImage
{
    private readonly byte[] _headerBytes;

    private BzImage(BootFile file, LinuxSetupHeader header, byte[] headerBytes, long kernelOffset)
    {
        File = file;
        Header = header;
        _headerBytes = headerBytes;
        KernelOffset = kernelOffset;
    }

    public BootFile File { get; }

    public LinuxSetupHeader Header { get; }

    /// <summary>File offset of the protected-mode kernel, which runs to the end of the file.</summary>
    public long KernelOffset { get; }

    /// <summary>Size of the protected-mode kernel, loaded at 0x100000 or wherever the loader chose.</summary>
    public long KernelLength => File.Length - KernelOffset;

    /// <summary>The setup header bytes (from 0x1F1), copied into boot_params at the same offset.</summary>
    public ReadOnlySpan<byte> HeaderBytes => _headerBytes.AsSpan(LinuxSetupHeader.Start, Header.Length);

    /// <summary>
    /// Where the compressed kernel lies in the file (protocol 2.08+): an ELF
    /// vmlinux compressed with the kernel's configured method, as
    /// payload_offset/payload_length locate it inside the protected-mode part.
    /// Length 0 when the header gives none that fits the file.
    /// </summary>
    public (long Offset, long Length) Payload
    {
        get
        {
            long start = KernelOffset + Header.PayloadOffset;
            long length = Header.PayloadLength;
            return length == 0 || start > File.Length || length > File.Length - start ? (0, 0) : (start, length);
        }
    }

    public static BzImage Parse(byte[] file) => Parse(BootFile.FromBytes(file));

    public static BzImage Parse(BootFile file)
    {
        byte[] head = file.ReadBytes(0, (int)Math.Min(file.Length, LinuxSetupHeader.MaxEnd));
        LinuxSetupHeader header = LinuxSetupHeader.Parse(head);
        long kernelOffset = (header.SetupSectors + 1L) * 512;
        if (kernelOffset >= file.Length)
            throw new BootImageException(BootInput.Kernel, $"bzImage is truncated: {header.SetupSectors} setup sectors but only {file.Length} bytes");
        return new BzImage(file, header, head, kernelOffset);
    }
}
