using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// The Firmware ACPI Control Structure (ACPI 6.3, section 5.2.10): the
/// global lock and the waking vectors, in read-write memory, 64-byte aligned.
/// It has no checksum. A machine that is not hardware-reduced must have one,
/// and ACPICA dereferences it when AML acquires the global lock, so it is
/// provided although nothing here sleeps or uses the lock.
///   0 "FACS", 4 length (64), 8 hardware signature, 12 firmware waking vector,
///  16 global lock, 20 flags, 24 X firmware waking vector, 32 version (2),
///  33 reserved, 36 OSPM flags, 40 reserved (24 bytes).
/// </summary>
internal static class FacsBuilder
{
    public const int Size = 64;
    public const int Alignment = 64;
    private const byte Version = 2;

    public static byte[] Build()
    {
        byte[] facs = new byte[Size];
        "FACS"u8.CopyTo(facs);
        BinaryPrimitives.WriteUInt32LittleEndian(facs.AsSpan(4), Size);
        facs[32] = Version;
        return facs;
    }
}
