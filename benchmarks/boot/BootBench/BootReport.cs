using System.Globalization;
using Emu.Lab;

namespace Emu.Benchmarks.Boot;

// Medians per VMM, and each emu variant's ratios to each QEMU machine.
internal static class BootReport
{
    public static void Print(TextWriter output, IReadOnlyList<string> vmms, IReadOnlyList<BootSample> samples)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Format(inv, "{0,-18} {1,5} {2,16} {3,16} {4,16} {5,6}", "vmm", "runs", "to init (s)", "to exit (s)", "peak RSS (MiB)", "fails"));
        var medians = new Dictionary<string, (double First, double Exit, double Rss)>();
        foreach (string vmm in vmms)
        {
            var mine = samples.Where(s => s.Vmm == vmm).ToList();
            double first = Statistics.Median(mine.Where(s => s.FirstLineSeconds != null).Select(s => s.FirstLineSeconds!.Value));
            double exit = Statistics.Median(mine.Select(s => s.ExitSeconds));
            double rss = Statistics.Median(mine.Where(s => s.MaxRssKib != null).Select(s => s.MaxRssKib!.Value / 1024.0));
            int fails = mine.Count(s => s.ExitCode != 0 || s.FirstLineSeconds == null);
            medians[vmm] = (first, exit, rss);
            output.WriteLine(string.Format(inv, "{0,-18} {1,5} {2,16:F2} {3,16:F2} {4,16:F1} {5,6}", vmm, mine.Count, first, exit, rss, fails));
            output.WriteLine("  samples (init/exit s, RSS MiB): " + string.Join("; ", mine.Select(s =>
                string.Format(inv, "{0}/{1:F2}/{2:F0}{3}", s.FirstLineSeconds?.ToString("F2", inv) ?? "-", s.ExitSeconds, (s.MaxRssKib ?? 0) / 1024.0,
                    s.ExitCode != 0 || s.FirstLineSeconds == null ? $" (exit {s.ExitCode})" : ""))));
        }
        output.WriteLine();
        // Each emu variant against each QEMU machine.
        foreach (string mine in vmms.Where(v => v.StartsWith("emu", StringComparison.Ordinal)))
        {
            var e = medians[mine];
            foreach (string other in vmms.Where(v => v.StartsWith("qemu", StringComparison.Ordinal)))
            {
                var o = medians[other];
                output.WriteLine(string.Format(inv, "{0} / {1}: time to init {2:F2}x, time to exit {3:F2}x, peak RSS {4:F2}x (below 1: {0} is faster / smaller)",
                    mine, other, e.First / o.First, e.Exit / o.Exit, e.Rss / o.Rss));
            }
        }
    }
}
