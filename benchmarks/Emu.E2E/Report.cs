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

    /// <summary>The software CPUs (--accel tcg): start-up, the self-test, the cost of an access and the instruction rate, emu against QEMU.</summary>
    public string RenderSoftwareCpu(IReadOnlyList<string> vmms, long accesses, long iterations, int runs)
    {
        var t = new StringBuilder();
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        t.AppendLine($"Firmware on the software CPUs (-accel tcg), median of {runs} interleaved runs each ({accesses} accesses per port and MMIO run, {iterations} iterations of the register loop):");
        t.AppendLine();
        t.AppendLine("| VMM | exec-to-exit, none | exec-to-exit, self-test | per port write | per MMIO store | loop instructions/s | peak RSS |");
        t.AppendLine("|---|---|---|---|---|---|---|");
        var figures = new Dictionary<(string, string), double>();
        foreach (string vmm in vmms)
        {
            double none = MedianSeconds(vmm, "none");
            double selftest = MedianSeconds(vmm, "selftest");
            double pio = (MedianSeconds(vmm, "pio") - none) / accesses * 1e9;
            double mmio = (MedianSeconds(vmm, "mmio") - none) / accesses * 1e9;
            // Each loop iteration is three instructions (inc, dec, jnz).
            double rate = 3.0 * iterations / (MedianSeconds(vmm, "loop") - none);
            figures[(vmm, "none")] = none;
            figures[(vmm, "selftest")] = selftest;
            figures[(vmm, "pio")] = pio;
            figures[(vmm, "mmio")] = mmio;
            figures[(vmm, "rate")] = rate;
            t.AppendLine($"| {vmm} | {F(none * 1000, "F0")} ms | {F(selftest * 1000, "F0")} ms | {F(pio, "F1")} ns | {F(mmio, "F1")} ns | {F(rate / 1e6, "F0")} M | {F(PeakRssMiB(vmm), "F1")} MiB |");
        }
        if (vmms.Contains("emu") && vmms.Contains("qemu"))
        {
            t.AppendLine();
            t.AppendLine("Ratios emu/QEMU (targets of this stage: self-test exec-to-exit, port and MMIO access each <= 2):");
            foreach ((string key, string what) in new[] { ("selftest", "self-test exec-to-exit"), ("none", "exec-to-exit, none"), ("pio", "per port write"), ("mmio", "per MMIO store") })
                t.AppendLine($"- {what}: {F(figures[("emu", key)] / figures[("qemu", key)], "F2")}");
            t.AppendLine($"- instruction rate: emu/QEMU = {F(figures[("emu", "rate")] / figures[("qemu", "rate")], "F2")}");
            t.AppendLine($"- peak RSS: emu/QEMU = {F(PeakRssMiB("emu") / PeakRssMiB("qemu"), "F2")}");
        }
        return t.ToString();
    }
}
