namespace Emu.QmpLatency;

/// <summary>Round-trip times of one run, in microseconds, sorted.</summary>
internal sealed record LatencyResult(string Vmm, string Scenario, double[] Microseconds)
{
    public double Median => Percentile(0.50);

    public double P99 => Percentile(0.99);

    // Nearest-rank percentile of the sorted samples.
    public double Percentile(double p) => Microseconds[Math.Clamp((int)Math.Ceiling(p * Microseconds.Length) - 1, 0, Microseconds.Length - 1)];
}
