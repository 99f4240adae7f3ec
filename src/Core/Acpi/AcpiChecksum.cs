namespace Emu.Core.Acpi;

/// <summary>
/// ACPI checksums (ACPI 6.3, section 5.2.6): the bytes of a structure,
/// checksum field included, add up to 0 modulo 256.
/// </summary>
public static class AcpiChecksum
{
    /// <summary>The checksum byte that makes <paramref name="bytes"/> (with a zero checksum field) sum to 0.</summary>
    public static byte Compute(ReadOnlySpan<byte> bytes) => (byte)(0x100 - Sum(bytes));

    /// <summary>Whether the bytes sum to 0 modulo 256.</summary>
    public static bool IsValid(ReadOnlySpan<byte> bytes) => Sum(bytes) == 0;

    /// <summary>Sets <paramref name="bytes"/>[<paramref name="offset"/>] so the whole span sums to 0.</summary>
    public static void Fill(Span<byte> bytes, int offset)
    {
        bytes[offset] = 0;
        bytes[offset] = Compute(bytes);
    }

    private static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
            sum += b;
        return sum;
    }
}
