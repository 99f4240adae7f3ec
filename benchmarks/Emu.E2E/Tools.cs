using Emu.Benchmarks.Shared;

namespace Emu.E2E;

/// <summary>Builds and runs the native helpers: the KVM floor and the measurer.</summary>
internal static class Tools
{
    public static string Compile(string source, string outputDir)
    {
        string binary = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(source));
        BenchmarkProcess.Run("gcc", "-O2", "-Wall", "-Werror", "-o", binary, source);
        return binary;
    }

    /// <summary>Runs <paramref name="command"/> under the measurer: exec-to-exit time, peak RSS, status.</summary>
    public static Measurement Measure(string measurer, string[] command)
    {
        string line = BenchmarkProcess.Run(measurer, command).Trim();
        string[] parts = line.Split(' ');
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return new Measurement(double.Parse(parts[0], invariant), long.Parse(parts[1], invariant), int.Parse(parts[2], invariant), double.Parse(parts[3], invariant));
    }
}
