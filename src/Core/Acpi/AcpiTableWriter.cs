using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// Builds one system description table: the 36-byte header (ACPI 6.3,
/// table 5-29: Signature, Length, Revision, Checksum, OEMID, OEM Table ID,
/// OEM Revision, Creator ID, Creator Revision), then little-endian fields;
/// <see cref="ToArray"/> fills in Length and the checksum at offset 9.
/// </summary>
internal sealed class AcpiTableWriter
{
    public const int HeaderSize = 36;
    private const int LengthOffset = 4, ChecksumOffset = 9;

    private readonly List<byte> _bytes = new(256);

    public AcpiTableWriter(string signature, byte revision)
    {
        Ascii(signature, 4);
        U32(0); // length, filled in at the end
        U8(revision);
        U8(0); // checksum, filled in at the end
        Ascii(AcpiOem.Id, 6);
        Ascii(AcpiOem.TableId, 8);
        U32(AcpiOem.Revision);
        Ascii(AcpiOem.CreatorId, 4);
        U32(AcpiOem.CreatorRevision);
    }

    public int Length => _bytes.Count;

    public void U8(byte value) => _bytes.Add(value);

    public void U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Bytes(b);
    }

    public void U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Bytes(b);
    }

    public void U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Bytes(b);
    }

    public void Zeros(int count)
    {
        for (int i = 0; i < count; i++)
            _bytes.Add(0);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            _bytes.Add(b);
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
            _bytes.Add(checked((byte)c));
    }

    public byte[] ToArray()
    {
        byte[] table = _bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(LengthOffset), (uint)table.Length);
        AcpiChecksum.Fill(table, ChecksumOffset);
        return table;
    }
}
