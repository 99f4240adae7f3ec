using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// Builds one system description table: the 36-byte header (ACPI 6.3,
/// table 5-29: Signature, Length, Revision, Checksum, OEMID, OEM Table ID,
/// OEM Revision, Creator ID, Creator Revision), then little-endian fields;
/// <see cref="ToArray"/> fills in Length and the checksum at offset 9.
/// </summary>
internal sealed class AcpiTableWriter : LittleEndianWriter
{
    public const int HeaderSize = 36;
    private const int LengthOffset = 4, ChecksumOffset = 9;

    public AcpiTableWriter(string signature, byte revision)
    {
        Ascii(signature, 4);
        DWord(0); // length, filled in at the end
        Byte(revision);
        Byte(0); // checksum, filled in at the end
        Ascii(AcpiOem.Id, 6);
        Ascii(AcpiOem.TableId, 8);
        DWord(AcpiOem.Revision);
        Ascii(AcpiOem.CreatorId, 4);
        DWord(AcpiOem.CreatorRevision);
    }

    public void Gas(GenericAddress address)
    {
        Span<byte> b = stackalloc byte[GenericAddress.Size];
        address.WriteTo(b);
        Bytes(b);
    }

    /// <summary>Exactly <paramref name="width"/> ASCII characters.</summary>
    public void Ascii(string text, int width)
    {
        if (text.Length != width)
            throw new ArgumentException($"'{text}' must be exactly {width} characters", nameof(text));
        foreach (char c in text)
            Byte(checked((byte)c));
    }

    public override byte[] ToArray()
    {
        byte[] table = base.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(LengthOffset), (uint)table.Length);
        AcpiChecksum.Fill(table, ChecksumOffset);
        return table;
    }
}
