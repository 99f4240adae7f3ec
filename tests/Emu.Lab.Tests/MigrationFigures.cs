using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Lab.Tests;

// The figures of MigrationBenchLabRun's output, per VMM and measure, and their medians:
//   live total-time, live downtime    query-migrate on the source after a live migration
//   live stop-to-resume               the source's STOP event to the destination's RESUME event
//                                     (QMP timestamps): the pause the guest sees, whatever
//                                     each VMM counts as its downtime
//   save                              stop + migrate file: until completed, wall clock
//   restore                           migrate-incoming file: until running after cont, wall clock
public sealed partial class MigrationFigures
{
    public static readonly string[] Measures = ["live total-time", "live downtime", "live stop-to-resume", "save", "restore"];

    readonly Dictionary<(string Vmm, string Measure), List<double>> _samples = [];

    [GeneratedRegex(@"^round (\d+) (\w+) (live|save|restore) status=(completed|running) (.*)$")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"([a-z-]+)=([0-9.]+)")]
    private static partial Regex Field();

    public static MigrationFigures Parse(IEnumerable<string> lines)
    {
        var figures = new MigrationFigures();
        foreach (string line in lines)
        {
            Match m = StepLine().Match(line);
            if (!m.Success)
                continue;
            string vmm = m.Groups[2].Value;
            var fields = new Dictionary<string, double>();
            foreach (Match f in Field().Matches(m.Groups[5].Value))
                fields[f.Groups[1].Value] = double.Parse(f.Groups[2].Value, CultureInfo.InvariantCulture);
            switch (m.Groups[3].Value)
            {
                case "live":
                    figures.Add(vmm, "live total-time", fields, "total-time");
                    figures.Add(vmm, "live downtime", fields, "downtime");
                    figures.Add(vmm, "live stop-to-resume", fields, "stop-to-resume");
                    break;
                case "save":
                    figures.Add(vmm, "save", fields, "wall");
                    break;
                case "restore":
                    figures.Add(vmm, "restore", fields, "wall");
                    break;
            }
        }
        return figures;
    }

    void Add(string vmm, string measure, Dictionary<string, double> fields, string field)
    {
        if (!fields.TryGetValue(field, out double value))
            return;
        if (!_samples.TryGetValue((vmm, measure), out List<double>? list))
            _samples[(vmm, measure)] = list = [];
        list.Add(value);
    }

    public IReadOnlyList<double> Samples(string vmm, string measure) =>
        _samples.TryGetValue((vmm, measure), out List<double>? list) ? list : [];

    public double Median(string vmm, string measure) => Statistics.Median(Samples(vmm, measure));

    // One line per measure: both medians, the ratio emu/QEMU and every sample.
    public IEnumerable<string> Summary()
    {
        foreach (string measure in Measures)
        {
            double emu = Median("emu", measure), qemu = Median("qemu", measure);
            string ratio = qemu > 0 && !double.IsNaN(emu) ? (emu / qemu).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"median {measure}: emu {emu:F1} ms (n={Samples("emu", measure).Count}), qemu {qemu:F1} ms (n={Samples("qemu", measure).Count}), emu/qemu {ratio}; " +
                $"emu [{string.Join(' ', Samples("emu", measure))}] qemu [{string.Join(' ', Samples("qemu", measure))}]");
        }
    }
}
