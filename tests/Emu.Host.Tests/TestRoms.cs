namespace Emu.Host.Tests;

/// <summary>
/// Tiny 64 KiB ROMs for tests: real-mode code placed at the top of the ROM
/// and entered from the reset vector (F000:FFF0) with a near jump.
/// </summary>
internal static class TestRoms
{
    public const int Size = 0x10000;
    private const int CodeOffset = 0xF000;

    /// <summary>A ROM whose reset vector jumps to <paramref name="code"/> (at F000:F000).</summary>
    public static string Write(byte[] code)
    {
        byte[] rom = new byte[Size];
        code.CopyTo(rom, CodeOffset);
        // At 0xFFF0: jmp near rel16 to 0xF000.
        int rel = CodeOffset - (0xFFF0 + 3);
        rom[0xFFF0] = 0xE9;
        rom[0xFFF1] = (byte)rel;
        rom[0xFFF2] = (byte)(rel >> 8);
        string path = Path.Combine(Path.GetTempPath(), $"emu-test-{Guid.NewGuid():N}.rom");
        File.WriteAllBytes(path, rom);
        return path;
    }

    /// <summary>out imm8 port, al with al = value.</summary>
    public static IEnumerable<byte> Out(byte port, byte value) => new byte[] { 0xB0, value, 0xE6, port };

    /// <summary>mov dx, port; mov al, value; out dx, al.</summary>
    public static IEnumerable<byte> OutDx(ushort port, byte value) => new byte[] { 0xBA, (byte)port, (byte)(port >> 8), 0xB0, value, 0xEE };

    /// <summary>mov dx, port; in al, dx.</summary>
    public static IEnumerable<byte> InDx(ushort port) => new byte[] { 0xBA, (byte)port, (byte)(port >> 8), 0xEC };

    /// <summary>Writes V to isa-debug-exit at 0xF4, then halts.</summary>
    public static IEnumerable<byte> DebugExit(byte value) => Out(0xF4, value).Concat(new byte[] { 0xF4, 0xEB, 0xFD });
}
