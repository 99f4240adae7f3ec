using Emu.Host.CommandLine;

namespace Emu.Host.Composition;

/// <summary>Reads a -bios image, with one-line errors for what users get wrong.</summary>
internal static class FirmwareFile
{
    public const long MaxSize = 16L << 20;

    public static byte[] Read(string path)
    {
        byte[] image;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
                throw new CommandLineException($"-bios {path}: is a directory");
            if (!info.Exists)
                throw new CommandLineException($"-bios {path}: no such file");
            if (info.Length == 0 || info.Length % 0x10000 != 0 || info.Length > MaxSize)
                throw new CommandLineException($"-bios {path}: {info.Length} bytes is not a valid firmware size (a non-zero multiple of 64 KiB, at most 16 MiB)");
            image = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CommandLineException($"-bios {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new CommandLineException($"-bios {path}: {e.Message}");
        }
        return image;
    }
}
