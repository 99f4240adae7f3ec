using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Lab.Tests;

// What emu did in one job of LinuxBootLabRun, from the lines the job printed around it:
// host_epoch=, the console (the level-3 guest's output), emu-exit=, emu-seconds= and
// emu-stderr: lines.
public sealed partial record LinuxBootEmuRun(int? ExitCode, double? Seconds, IReadOnlyList<string> Stderr, long? HostEpoch, Level3Output Guest, LabJobResult Job)
{
    public static LinuxBootEmuRun From(LabJobResult job)
    {
        int? exit = null;
        double? seconds = null;
        long? epoch = null;
        var stderr = new List<string>();
        foreach (string line in job.OutputLines)
        {
            if (ExitRegex().Match(line) is { Success: true } m)
                exit = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (line.StartsWith("emu-seconds=", StringComparison.Ordinal))
                seconds = double.Parse(line["emu-seconds=".Length..], CultureInfo.InvariantCulture);
            else if (line.StartsWith("host_epoch=", StringComparison.Ordinal))
                epoch = long.Parse(line["host_epoch=".Length..], CultureInfo.InvariantCulture);
            else if (line.StartsWith("emu-stderr: ", StringComparison.Ordinal))
                stderr.Add(line["emu-stderr: ".Length..]);
        }
        return new LinuxBootEmuRun(exit, seconds, stderr, epoch, Level3Output.Parse(job.Output), job);
    }

    [GeneratedRegex(@"^emu-exit=(\d+)$")]
    private static partial Regex ExitRegex();
}
