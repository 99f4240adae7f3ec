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
    private readonly byte[] _file;

    private BzImage(byte[] file, LinuxSetupHeader header, int kernelOffset)
    {
        _file = file;
        Header = header;
        KernelOffset = kernelOffset;
    }

    public LinuxSetupHeader Header { get; }

    /// <summary>File offset of the protected-mode kernel.</summary>
    public int KernelOffset { get; }

    /// <summary>The protected-mode kernel, loaded at 0x100000 or wherever the loader chose.</summary>
    public ReadOnlyMemory<byte> ProtectedModeKernel => _file.AsMemory(KernelOffset);

    /// <summary>The setup header bytes (from 0x1F1), copied into boot_params at the same offset.</summary>
    public ReadOnlySpan<byte> HeaderBytes => _file.AsSpan(LinuxSetupHeader.Start, Header.Length);

    /// <summary>
    /// The compressed kernel (protocol 2.08+): an ELF vmlinux compressed with
    /// the kernel's configured method, as payload_offset/payload_length locate
    /// it inside the protected-mode part. Empty when the header gives none.
    /// </summary>
    public ReadOnlyMemory<byte> Payload
    {
        get
        {
            ulong start = (ulong)KernelOffset + Header.PayloadOffset;
            ulong length = Header.PayloadLength;
            if (length == 0 || start > (ulong)_file.Length || length > (ulong)_file.Length - start)
                return ReadOnlyMemory<byte>.Empty;
            return _file.AsMemory((int)start, (int)length);
        }
    }

    public static BzImage Parse(byte[] file)
    {
        LinuxSetupHeader header = LinuxSetupHeader.Parse(file);
        long kernelOffset = (header.SetupSectors + 1L) * 512;
        if (kernelOffset >= file.Length)
            throw new BootImageException(BootInput.Kernel, $"bzImage is truncated: {header.SetupSectors} setup sectors but only {file.Length} bytes");
        return new BzImage(file, header, (int)kernelOffset);
    }
}
