namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// The Linux ioctl request encoding (asm-generic/ioctl.h): direction in bits
/// 30-31, argument size in bits 16-29, type in bits 8-15, number in bits 0-7.
/// </summary>
internal static class IoctlNumber
{
    private const uint None = 0, Write = 1, Read = 2;

    public static nuint IO(uint type, uint nr) => Make(None, type, nr, 0);

    public static nuint IOR(uint type, uint nr, uint size) => Make(Read, type, nr, size);

    public static nuint IOW(uint type, uint nr, uint size) => Make(Write, type, nr, size);

    public static nuint IOWR(uint type, uint nr, uint size) => Make(Read | Write, type, nr, size);

    private static nuint Make(uint dir, uint type, uint nr, uint size) =>
        (nuint)((dir << 30) | (size << 16) | (type << 8) | nr);
}
