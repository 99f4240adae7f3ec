namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// How many cases the generators make, and from which seed. The default run
/// is fixed (the same cases every time) and quick; a longer campaign sets
///   EMU_DIFFTEST_SEED=&lt;number&gt;   another seed (decimal or 0x hex)
///   EMU_DIFFTEST_SCALE=&lt;factor&gt;  that many times the default number of cases
/// e.g. EMU_DIFFTEST_SEED=7 EMU_DIFFTEST_SCALE=50 dotnet test ... --filter "FullyQualifiedName~Tcg.Differential".
/// A mismatch prints the case (instruction bytes, registers, data) so it can be kept as a fixed test.
/// </summary>
internal static class Campaign
{
    public const ulong DefaultSeed = 0x2026_1203;

    public static ulong Seed { get; } = ParseSeed(Environment.GetEnvironmentVariable("EMU_DIFFTEST_SEED"));

    public static double Scale { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("EMU_DIFFTEST_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 1;

    /// <summary>The seed of one generator: the campaign's seed mixed with the generator's name (FNV-1a, stable across processes).</summary>
    public static int SeedFor(string name)
    {
        ulong h = 0xCBF2_9CE4_8422_2325 ^ Seed;
        foreach (char c in name)
            h = (h ^ c) * 0x100_0000_01B3;
        return (int)(h ^ (h >> 32));
    }

    /// <summary><paramref name="count"/> scaled by the campaign (at least 1).</summary>
    public static int Count(int count) => Math.Max(1, (int)(count * Scale));

    private static ulong ParseSeed(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return DefaultSeed;
        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? Convert.ToUInt64(text[2..], 16)
            : ulong.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
