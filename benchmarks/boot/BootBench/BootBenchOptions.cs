using System.Globalization;

namespace Emu.Benchmarks.Boot;

// Command line of the boot benchmark.
internal sealed record BootBenchOptions(int Runs, int Cpus, int MemoryMiB, string Configuration)
{
    public static BootBenchOptions Parse(string[] args)
    {
        int runs = 5, cpus = 2, memory = 1024;
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--smp": cpus = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--memory-mib": memory = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--configuration": configuration = Value(); break;
                default: throw new ArgumentException($"unknown option {args[i]} (--runs N, --smp N, --memory-mib N, --configuration Debug|Release)");
            }
        }
        if (runs < 1 || cpus < 1 || memory < 128)
            throw new ArgumentException("--runs and --smp must be at least 1, --memory-mib at least 128");
        return new BootBenchOptions(runs, cpus, memory, configuration);
    }
}
