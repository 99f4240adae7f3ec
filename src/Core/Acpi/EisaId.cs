namespace Emu.Core.Acpi;

/// <summary>
/// The compressed EISA id that ASL's EISAID() macro produces (ACPI 6.3,
/// section 19.6.35): a seven-character PNP id such as "PNP0A08" packed into
/// 32 bits. The three letters are five bits each (letter - 0x40), the four
/// hex digits four bits each, and the result is stored big-endian in the
/// integer's memory bytes: byte 0 = l1 &lt;&lt; 2 | l2 &gt;&gt; 3,
/// byte 1 = (l2 &amp; 7) &lt;&lt; 5 | l3, bytes 2-3 = the digits. So
/// "PNP0A03" is 0x030AD041.
/// </summary>
public static class EisaId
{
    public static uint Encode(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length != 7)
            throw new ArgumentException($"EISA id '{id}' must be 3 letters and 4 hex digits", nameof(id));
        int l1 = Letter(id, 0), l2 = Letter(id, 1), l3 = Letter(id, 2);
        uint digits = 0;
        for (int i = 3; i < 7; i++)
            digits = (digits << 4) | (uint)HexDigit(id, i);
        uint b0 = (uint)((l1 << 2) | (l2 >> 3));
        uint b1 = (uint)(((l2 & 7) << 5) | l3);
        uint b2 = digits >> 8;
        uint b3 = digits & 0xFF;
        return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    }

    private static int Letter(string id, int index)
    {
        char c = id[index];
        if (c is < 'A' or > 'Z')
            throw new ArgumentException($"EISA id '{id}': character {index + 1} must be an upper-case letter", nameof(id));
        return c - 0x40;
    }

    private static int HexDigit(string id, int index)
    {
        char c = id[index];
        return c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => throw new ArgumentException($"EISA id '{id}': character {index + 1} must be an upper-case hex digit", nameof(id)),
        };
    }
}
