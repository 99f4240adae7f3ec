namespace Emu.Host.Composition;

/// <summary>The firmware ROM built from firmware/ and embedded in the program.</summary>
internal static class BuiltinFirmware
{
    public const string ResourceName = "emu-firmware.rom";

    public static byte[] Load()
    {
        using Stream stream = typeof(BuiltinFirmware).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("the built-in firmware is missing from this build");
        byte[] image = new byte[stream.Length];
        stream.ReadExactly(image);
        return image;
    }
}
