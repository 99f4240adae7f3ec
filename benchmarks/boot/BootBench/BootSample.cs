using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Benchmarks.Boot;

// One boot as boot-time.pl measured it; Instructions is the guest instructions the
// software CPU ran (emu with EMU_JIT_STATS=1 prints them per vCPU at exit), when known.
internal sealed partial record BootSample(string Vmm, double? FirstLineSeconds, double ExitSeconds, int ExitCode, long? MaxRssKib, double? CpuSeconds)
{
    public long? Instructions { get; init; }

    // "sample vmm=<name> first_line_s=<s|none> exit_s=<s> rc=<n> maxrss_kib=<n> [cpu_s=<s>]"
    public static BootSample? TryParse(string line)
    {
        Match m = SampleRegex().Match(line);
        if (!m.Success)
            return null;
        double? first = m.Groups[2].Value == "none" ? null : double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        long? rss = long.TryParse(m.Groups[5].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib : null;
        double? cpu = double.TryParse(m.Groups[6].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : null;
        return new BootSample(m.Groups[1].Value, first, double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), rss, cpu);
    }

    [GeneratedRegex(@"^sample vmm=(\S+) first_line_s=(\S+) exit_s=(\S+) rc=(\d+) maxrss_kib=(\S+)(?: cpu_s=(\S+))?")]
    private static partial Regex SampleRegex();
}
