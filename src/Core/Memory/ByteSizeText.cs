namespace Emu.Core.Memory;

/// <summary>A byte count for messages: "1 GiB", "2 MiB", "64 KiB", or bytes.</summary>
public static class ByteSizeText
{
    public static string Format(ulong bytes) =>
        bytes >= 1UL << 30 && bytes % (1UL << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes >= 1UL << 20 && bytes % (1UL << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} bytes";
}
