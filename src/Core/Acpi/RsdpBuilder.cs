using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// The Root System Description Pointer, ACPI 2.0+ form (ACPI 6.3, section
/// 5.2.5.3): 36 bytes, found by the OS on a 16-byte boundary in
/// 0xE0000-0xFFFFF or handed over by the loader (Linux: boot_params.acpi_rsdp_addr).
///   0  "RSD PTR "            8
///   8  checksum of bytes 0-19
///   9  OEMID                 6
///  15  revision (2)
///  16  RSDT address          4 (0: there is no RSDT; ACPI 2.0+ OSes use the XSDT)
///  20  length (36)           4
///  24  XSDT address          8
///  32  extended checksum of all 36 bytes
///  33  reserved              3
/// </summary>
internal static class RsdpBuilder
{
    public const int Size = 36;
    public const int Alignment = 16;
    private const byte Revision = 2;

    public static byte[] Build(ulong xsdtAddress)
    {
        byte[] rsdp = new byte[Size];
        Span<byte> s = rsdp;
        "RSD PTR "u8.CopyTo(s);
        for (int i = 0; i < 6; i++)
            s[9 + i] = (byte)AcpiOem.Id[i];
        s[15] = Revision;
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], Size);
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], xsdtAddress);
        AcpiChecksum.Fill(s[..20], 8);
        AcpiChecksum.Fill(s, 32);
        return rsdp;
    }
}
