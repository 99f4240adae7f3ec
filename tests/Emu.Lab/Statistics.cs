namespace Emu.Lab;

// Summaries of measured samples for the lab's comparison runs (tests and benchmarks alike).
public static class Statistics
{
    // The middle value (the mean of the two middle ones for an even count); NaN for none.
    public static double Median(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        if (v.Length == 0)
            return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
