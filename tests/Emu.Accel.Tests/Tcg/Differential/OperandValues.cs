namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Operand values for the generators, from a seeded generator: half of them
/// boundaries of the operand's width (0, 1, -1, the signed minimum and
/// maximum and their neighbours, carries out of each byte and nibble, powers
/// of two and their neighbours), the rest random. Register operands narrower
/// than 64 bits get random upper bits, which the instruction must keep (8
/// and 16 bits) or clear (32 bits).
/// </summary>
internal sealed class OperandValues
{
    private static readonly ulong[] s_boundaries =
    [
        0, 1, 2, 3, 0xF, 0x10, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x100, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x1_0000,
        0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
        0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF, 0x0F0F_0F0F_0F0F_0F0F, 0xF0F0_F0F0_F0F0_F0F0,
        0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, 0x0123_4567_89AB_CDEF,
    ];

    public OperandValues(int seed) => Random = new Random(seed);

    public Random Random { get; }

    public static ulong Mask(int size) => size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    public static ulong SignBit(int size) => 1UL << (size * 8 - 1);

    public bool Chance(double probability) => Random.NextDouble() < probability;

    public int Int(int minInclusive, int maxExclusive) => Random.Next(minInclusive, maxExclusive);

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public ulong Bits64() => (ulong)Random.NextInt64() ^ ((ulong)Random.Next(2) << 63);

    /// <summary>A value of <paramref name="size"/> bytes (zero above them).</summary>
    public ulong Next(int size)
    {
        ulong mask = Mask(size);
        ulong sign = SignBit(size);
        switch (Random.Next(10))
        {
            case 0:
            case 1:
            case 2:
                return Pick(s_boundaries) & mask;
            case 3:
                // The signed extremes of this width and their neighbours.
                return Pick([0UL, 1UL, mask, mask - 1, sign, sign - 1, sign + 1, sign - 2]) & mask;
            case 4:
            {
                // A power of two, or one off it: where carries and borrows start.
                ulong p = 1UL << Random.Next(size * 8);
                return (p + (ulong)(Random.Next(3) - 1)) & mask;
            }
            case 5:
                // Few bits set.
                return (Bits64() & Bits64() & Bits64()) & mask;
            case 6:
                // Negative and small.
                return (ulong)(-(long)Random.Next(1, 300)) & mask;
            default:
                return Bits64() & mask;
        }
    }

    /// <summary>A register's value for an operand of <paramref name="size"/> bytes: <see cref="Next"/> below, random above.</summary>
    public ulong Register(int size) => (Bits64() & ~Mask(size)) | Next(size);
}
