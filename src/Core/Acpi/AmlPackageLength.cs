namespace Emu.Core.Acpi;

/// <summary>
/// PkgLength (ACPI 6.3, section 20.2.4): the length of a package-shaped term,
/// counted from the first PkgLength byte to the end of the term, so it
/// includes its own 1-4 bytes. Bits 7:6 of the lead byte say how many bytes
/// follow. With none, bits 5:0 hold the value (at most 63); otherwise bits
/// 3:0 of the lead byte are the low nibble, each following byte adds 8 more
/// bits, and bits 5:4 are zero. Four bytes reach 2^28 - 1.
/// </summary>
public static class AmlPackageLength
{
    public const int MaxValue = (1 << 28) - 1;

    /// <summary>Number of PkgLength bytes needed for a body of <paramref name="bodyLength"/> bytes.</summary>
    public static int EncodedSize(int bodyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        if (bodyLength + 1 <= 0x3F)
            return 1;
        if (bodyLength + 2 <= 0xFFF)
            return 2;
        if (bodyLength + 3 <= 0xF_FFFF)
            return 3;
        if (bodyLength + 4 <= MaxValue)
            return 4;
        throw new ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, "AML package is longer than PkgLength can encode (2^28 - 1 bytes)");
    }

    /// <summary>Writes the PkgLength for a body of <paramref name="bodyLength"/> bytes that follows it.</summary>
    public static void Write(AmlWriter writer, int bodyLength)
    {
        int size = EncodedSize(bodyLength);
        Encode(writer, bodyLength + size, size);
    }

    /// <summary>
    /// Writes <paramref name="value"/> itself in the PkgLength encoding, as a
    /// field list uses it for the width of a field in bits.
    /// </summary>
    public static void WriteValue(AmlWriter writer, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        int size = value <= 0x3F ? 1 : value <= 0xFFF ? 2 : value <= 0xF_FFFF ? 3 : 4;
        if (value > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(value), value, "PkgLength encodes at most 2^28 - 1");
        Encode(writer, value, size);
    }

    private static void Encode(AmlWriter writer, int value, int size)
    {
        if (size == 1)
        {
            writer.Byte((byte)value);
            return;
        }
        writer.Byte((byte)(((size - 1) << 6) | (value & 0x0F)));
        value >>= 4;
        for (int i = 1; i < size; i++)
        {
            writer.Byte((byte)value);
            value >>= 8;
        }
    }
}
