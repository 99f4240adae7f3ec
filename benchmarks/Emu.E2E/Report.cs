using System.Globalization;
using System.Text;

namespace Emu.E2E;

/// <summary>Medians per VMM and workload, and the ratios the project's targets are stated in.</summary>
internal sealed class Report
{
    private readonly Dictionary<(string Vmm, string Mode), List<Measurement>> _runs = new();

    public void Add(string vmm, string mode, Measurement m)
    {
        if (!_runs.TryGetValue((vmm, mode), out var list))
            _runs[(vmm, mode)] = list = new List<Measurement>();
        list.Add(m);
    }

    public double MedianSeconds(string vmm, string mode) => Median(_runs[(vmm, mode)].Select(m => m.Seconds));

    public double MedianRssMiB(string vmm, string mode) => Median(_runs[(vmm, mode)].Select(m => m.MaxRssKiB / 1024.0));

    public double PeakRssMiB(string vmm) => _runs.Where(r => r.Key.Vmm == vmm).SelectMany(r => r.Value).Max(m => m.MaxRssKiB) / 1024.0;

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public string Render(IReadOnlyList<string> vmms, long exits, int runs)
    {
        var t = new StringBuilder();
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        t.AppendLine($"Firmware workloads, median of {runs} interleaved runs each ({exits} exits per loop):");
        t.AppendLine();
        t.AppendLine("| VMM | exec-to-exit, no exits | PIO run | MMIO run | per PIO exit | per MMIO exit | peak RSS |");
        t.AppendLine("|---|---|---|---|---|---|---|");
        var perExit = new Dictionary<(string, string), double>();
        foreach (string vmm in vmms)
        {
            double none = MedianSeconds(vmm, "none");
            double pio = (MedianSeconds(vmm, "pio") - none) / exits * 1e6;
            double mmio = (MedianSeconds(vmm, "mmio") - none) / exits * 1e6;
            perExit[(vmm, "pio")] = pio;
            perExit[(vmm, "mmio")] = mmio;
            t.AppendLine($"| {vmm} | {F(none * 1000, "F1")} ms | {F(MedianSeconds(vmm, "pio"), "F3")} s | {F(MedianSeconds(vmm, "mmio"), "F3")} s | {F(pio, "F2")} µs | {F(mmio, "F2")} µs | {F(PeakRssMiB(vmm), "F1")} MiB |");
        }
        if (vmms.Contains("floor") && vmms.Contains("emu") && vmms.Contains("qemu"))
        {
            t.AppendLine();
            t.AppendLine("Ratios (targets: overhead ratio <= 0.5, start-up and RSS ratios < 1):");
            foreach (string kind in new[] { "pio", "mmio" })
            {
                double emu = perExit[("emu", kind)] - perExit[("floor", kind)];
                double qemu = perExit[("qemu", kind)] - perExit[("floor", kind)];
                t.AppendLine($"- {kind.ToUpperInvariant()} overhead above the floor: emu {F(emu, "F2")} µs, QEMU {F(qemu, "F2")} µs, ratio emu/QEMU = {F(emu / qemu, "F2")}");
            }
            t.AppendLine($"- exec-to-exit with no exits: emu/QEMU = {F(MedianSeconds("emu", "none") / MedianSeconds("qemu", "none"), "F2")}");
            t.AppendLine($"- peak RSS: emu/QEMU = {F(PeakRssMiB("emu") / PeakRssMiB("qemu"), "F2")}");
        }
        return t.ToString();
    }
}
