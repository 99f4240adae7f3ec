using System.Text;
using Emu.Benchmarks.Shared;

namespace Emu.E2E;

/// <summary>
/// The built-in firmware ROM with its mode patched into the EMUCFG01 config
/// block (firmware/README.md), so every VMM runs byte-identical images
/// without needing fw_cfg.
/// </summary>
internal static class FirmwareRom
{
    private static readonly byte[] Magic = "EMUCFG01"u8.ToArray();

    public static string Build(string repository, string outputDir)
    {
        BenchmarkProcess.Run("make", "-s", "-C", Path.Combine(repository, "firmware"), $"BUILD={outputDir}");
        return Path.Combine(outputDir, "emu-firmware.rom");
    }

    public static string Patch(string rom, string mode, string outputDir)
    {
        byte[] image = File.ReadAllBytes(rom);
        int at = image.AsSpan().IndexOf(Magic);
        if (at < 0 || image.AsSpan(at + 1).IndexOf(Magic) >= 0)
            throw new InvalidOperationException($"{rom}: expected exactly one {Encoding.ASCII.GetString(Magic)} block");
        byte[] text = Encoding.ASCII.GetBytes(mode);
        if (text.Length > 55)
            throw new ArgumentException($"mode '{mode}' is longer than 55 bytes");
        Span<byte> field = image.AsSpan(at + Magic.Length, 56);
        field.Clear();
        text.CopyTo(field);
        string path = Path.Combine(outputDir, $"firmware-{mode.Replace(':', '-')}.rom");
        File.WriteAllBytes(path, image);
        return path;
    }
}
