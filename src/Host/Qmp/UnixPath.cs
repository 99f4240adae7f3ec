using System.Runtime.InteropServices;

namespace Emu.Host.Qmp;

/// <summary>lstat(2) for the one question .NET cannot answer: is this path a socket?</summary>
internal static unsafe partial class UnixPath
{
    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint SocketType = 0xC000;   // S_IFSOCK
    private const int StatSize = 144;        // struct stat on x86-64 and arm64 is at most 144 bytes
    private const int ModeOffsetX64 = 24;    // st_dev, st_ino, st_nlink (8 bytes each), then st_mode
    private const int ModeOffsetArm64 = 16;  // st_dev, st_ino, then st_mode

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Lstat(string path, byte* buffer);

    public static bool IsSocket(string path)
    {
        byte* buffer = stackalloc byte[StatSize];
        if (Lstat(path, buffer) != 0)
            return false;
        int offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? ModeOffsetX64 : ModeOffsetArm64;
        uint mode = *(uint*)(buffer + offset);
        return (mode & FileTypeMask) == SocketType;
    }
}
