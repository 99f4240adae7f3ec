using System.Globalization;
using Emu.Lab;

namespace Emu.Benchmarks.Boot;

// Medians per VMM, and each emu variant's ratios to the QEMU machines it is compared with
// (all of them, unless `compared` says which pairs mean something).
internal static class BootReport
{
    public static void Print(TextWriter output, IReadOnlyList<string> vmms, IReadOnlyList<BootSample> samples, Func<string, string, bool>? compared = null)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Format(inv, "{0,-18} {1,5} {2,14} {3,14} {4,14} {5,15} {6,6}", "vmm", "runs", "to init (s)", "to exit (s)", "CPU (s)", "peak RSS (MiB)", "fails"));
        var medians = new Dictionary<string, (double First, double Exit, double Cpu, double Rss)>();
        foreach (string vmm in vmms)
        {
            var mine = samples.Where(s => s.Vmm == vmm).ToList();
            double first = Statistics.Median(mine.Where(s => s.FirstLineSeconds != null).Select(s => s.FirstLineSeconds!.Value));
            double exit = Statistics.Median(mine.Select(s => s.ExitSeconds));
            double cpu = Statistics.Median(mine.Where(s => s.CpuSeconds != null).Select(s => s.CpuSeconds!.Value));
            double rss = Statistics.Median(mine.Where(s => s.MaxRssKib != null).Select(s => s.MaxRssKib!.Value / 1024.0));
            int fails = mine.Count(s => s.ExitCode != 0 || s.FirstLineSeconds == null);
            medians[vmm] = (first, exit, cpu, rss);
            output.WriteLine(string.Format(inv, "{0,-18} {1,5} {2,14:F2} {3,14:F2} {4,14:F2} {5,15:F1} {6,6}", vmm, mine.Count, first, exit, cpu, rss, fails));
            output.WriteLine("  samples (init/exit/CPU s, RSS MiB): " + string.Join("; ", mine.Select(s =>
                string.Format(inv, "{0}/{1:F2}/{2}/{3:F0}{4}", s.FirstLineSeconds?.ToString("F2", inv) ?? "-", s.ExitSeconds,
                    s.CpuSeconds?.ToString("F2", inv) ?? "-", (s.MaxRssKib ?? 0) / 1024.0,
                    s.ExitCode != 0 || s.FirstLineSeconds == null ? $" (exit {s.ExitCode})" : ""))));
            PrintInstructionRate(output, mine);
        }
        output.WriteLine();
        foreach (string mine in vmms.Where(v => v.StartsWith("emu", StringComparison.Ordinal)))
        {
            var e = medians[mine];
            foreach (string other in vmms.Where(v => v.StartsWith("qemu", StringComparison.Ordinal) && (compared?.Invoke(mine, v) ?? true)))
            {
                var o = medians[other];
                output.WriteLine(string.Format(inv, "{0} / {1}: time to init {2:F2}x, time to exit {3:F2}x, CPU {4:F2}x, peak RSS {5:F2}x (below 1: {0} is faster / smaller)",
                    mine, other, e.First / o.First, e.Exit / o.Exit, e.Cpu / o.Cpu, e.Rss / o.Rss));
            }
        }
    }

    // Guest instructions per second: the median count over the median CPU time and over the
    // median time to exit (with -smp 1 the vCPU's thread is most of the CPU time).
    private static void PrintInstructionRate(TextWriter output, IReadOnlyList<BootSample> mine)
    {
        var counted = mine.Where(s => s.Instructions != null).ToList();
        if (counted.Count == 0)
            return;
        double instructions = Statistics.Median(counted.Select(s => (double)s.Instructions!.Value));
        double cpu = Statistics.Median(counted.Where(s => s.CpuSeconds != null).Select(s => s.CpuSeconds!.Value));
        double exit = Statistics.Median(counted.Select(s => s.ExitSeconds));
        output.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "  guest instructions: {0:F2} G (median); {1:F0} M per CPU second, {2:F0} M per second to exit",
            instructions / 1e9, instructions / cpu / 1e6, instructions / exit / 1e6));
    }
}
