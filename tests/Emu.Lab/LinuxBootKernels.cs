using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Emu.Lab;

// Kernel images for the Linux boot lab tests. Debian ships only a bzImage; the
// uncompressed ELF vmlinux with its PVH note is the bzImage's payload
// (setup header payload_offset/payload_length, protocol 2.08+), compressed with
// whatever the kernel was configured for: Debian's amd64 kernels use XZ
// (CONFIG_KERNEL_XZ). The payload ends with the uncompressed size (4 bytes),
// which `xz --single-stream` ignores as trailing data; the decompressed ELF is
// followed by the kernel's relocation table, which ELF loaders ignore too.
public static class LinuxBootKernels
{
    const int SetupSectsOffset = 0x1F1, MagicOffset = 0x202, VersionOffset = 0x206;
    const int PayloadOffsetOffset = 0x248, PayloadLengthOffset = 0x24C;

    // Returns the path of the uncompressed vmlinux for a bzImage, extracted once into the
    // lab cache (a path under /var/tmp, which level 2 sees too).
    public static string ExtractVmlinux(string bzImagePath, string cacheDirectory)
    {
        byte[] image = File.ReadAllBytes(bzImagePath);
        string key = Convert.ToHexString(SHA256.HashData(image))[..16].ToLowerInvariant();
        string dir = Path.Combine(cacheDirectory, "vmlinux");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"vmlinux-{key}");
        if (File.Exists(path))
            return path;

        if (BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(MagicOffset)) != 0x53726448)
            throw new InvalidOperationException($"{bzImagePath}: not a bzImage");
        if (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(VersionOffset)) < 0x0208)
            throw new InvalidOperationException($"{bzImagePath}: boot protocol older than 2.08 has no payload fields");
        int setupSects = image[SetupSectsOffset] == 0 ? 4 : image[SetupSectsOffset];
        int start = (setupSects + 1) * 512 + (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(PayloadOffsetOffset));
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(PayloadLengthOffset));
        ReadOnlySpan<byte> payload = image.AsSpan(start, length);
        if (!payload.StartsWith(new byte[] { 0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0 }))
            throw new InvalidOperationException($"{bzImagePath}: the payload is not XZ-compressed (magic {Convert.ToHexString(payload[..6])}); add its decompressor here");

        string partial = path + ".partial-" + Environment.ProcessId;
        var psi = new ProcessStartInfo("xz", "--decompress --stdout --single-stream")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var xz = Process.Start(psi) ?? throw new InvalidOperationException("cannot start xz"))
        using (var output = File.Create(partial))
        {
            Task copy = xz.StandardOutput.BaseStream.CopyToAsync(output);
            Task<string> errors = xz.StandardError.ReadToEndAsync();
            xz.StandardInput.BaseStream.Write(payload);
            xz.StandardInput.Close();
            copy.GetAwaiter().GetResult();
            xz.WaitForExit();
            if (xz.ExitCode != 0)
                throw new InvalidOperationException($"xz failed ({xz.ExitCode}): {errors.GetAwaiter().GetResult()}");
        }
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
