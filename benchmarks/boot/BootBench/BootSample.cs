using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Benchmarks.Boot;

// One boot as boot-time.pl measured it.
internal sealed partial record BootSample(string Vmm, double? FirstLineSeconds, double ExitSeconds, int ExitCode, long? MaxRssKib)
{
    // "sample vmm=<name> first_line_s=<s|none> exit_s=<s> rc=<n> maxrss_kib=<n>"
    public static BootSample? TryParse(string line)
    {
        Match m = SampleRegex().Match(line);
        if (!m.Success)
            return null;
        double? first = m.Groups[2].Value == "none" ? null : double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        long? rss = long.TryParse(m.Groups[5].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib : null;
        return new BootSample(m.Groups[1].Value, first, double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), rss);
    }

    [GeneratedRegex(@"^sample vmm=(\S+) first_line_s=(\S+) exit_s=(\S+) rc=(\d+) maxrss_kib=(\S+)")]
    private static partial Regex SampleRegex();
}
