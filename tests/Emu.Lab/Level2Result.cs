using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emu.Lab;

// Everything one level-2 boot produced.
public sealed partial class Level2Result
{
    public required IReadOnlyList<LabJobResult> Jobs { get; init; }

    // The level-2 serial console (kernel messages, init markers), CRs removed.
    public required string Console { get; init; }

    // QEMU's stderr (TCG feature warnings, errors).
    public required string QemuStderr { get; init; }

    public required string ConsoleLogPath { get; init; }
    public required string RunDirectory { get; init; }

    // QEMU's exit status (0 after the guest's poweroff); null if it was killed.
    public int? QemuExitCode { get; init; }

    // True when QEMU was killed at Options.Timeout or by the stall check.
    public bool TimedOut { get; init; }

    // True when the stall check stopped level 2: no console or job output for
    // Options.StallTimeout (TimedOut is then true as well).
    public bool Stalled { get; init; }

    // True when the init printed its end marker: every job ran to its end.
    public bool Completed { get; init; }

    // Level 2 itself broke before the jobs were done: its kernel panicked (its console says
    // so), or it stopped making progress until the harness's timeout (level 2's own per-job
    // timeouts are longer, so a hung VMM inside it also ends here). Both have happened in
    // this lab under passthrough load (QEMU-TCG emulating nested SVM).
    public bool Level2Crashed => !Completed && (TimedOut || Console.Contains("Kernel panic", StringComparison.Ordinal));

    // What level 2's init recorded about jobs that went quiet for Level2Options.HangDumpAfter
    // (threads, states and kernel stacks of every process; empty when none did).
    public string HangDumps { get; init; } = "";

    // Wall time from QEMU's start to its exit.
    public TimeSpan Elapsed { get; init; }

    // Time spent waiting for another level-2 guest to finish first.
    public TimeSpan LockWait { get; init; }

    // Seconds from the level-2 kernel's start to the init being ready to run jobs.
    public double? GuestBootSeconds { get; init; }

    // The first (often only) job.
    public LabJobResult Job => Jobs.Count > 0 ? Jobs[0] : throw new InvalidOperationException("the run had no jobs");

    public LabJobResult this[string name] => Jobs.First(j => j.Name == name);

    // Every job finished with exit status 0.
    public bool Succeeded => Completed && Jobs.All(j => j.Succeeded);

    // Throws LabRunException with Describe() unless every job exited 0.
    public void EnsureSuccess()
    {
        if (!Succeeded)
            throw new LabRunException("level-2 job failed\n" + Describe(), this);
    }

    // A report for failure messages: status, each job's exit and output tail, console tail.
    public string Describe(int tailLines = 40)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"level 2: {(Stalled ? "STALLED (no output), TIMED OUT" : TimedOut ? "TIMED OUT" : Completed ? "completed" : "DID NOT COMPLETE")}, qemu exit {(QemuExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none")}, {Elapsed.TotalSeconds:F1} s; run dir {RunDirectory}\n");
        foreach (var j in Jobs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"--- job {j.Name}: exit {(j.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none")}, output tail ({j.OutputPath}):\n");
            sb.Append(TextLines.Tail(j.Output, tailLines)).Append('\n');
        }
        sb.Append(CultureInfo.InvariantCulture, $"--- level-2 console tail ({ConsoleLogPath}):\n");
        sb.Append(TextLines.Tail(Console, tailLines)).Append('\n');
        if (HangDumps.Length > 0)
            sb.Append("--- hang dumps:\n").Append(HangDumps).Append('\n');
        string stderr = string.Join('\n', TextLines.Split(QemuStderr).Where(l => !l.Contains("TCG doesn't support requested feature", StringComparison.Ordinal)));
        if (stderr.Length > 0)
            sb.Append("--- qemu stderr:\n").Append(TextLines.Tail(stderr, tailLines)).Append('\n');
        return sb.ToString();
    }

    public override string ToString() => Describe();

    [GeneratedRegex(@"@@LAB-JOB-END@@ i=(\d+) name=(\S+) rc=(\d+) t0=([\d.]+) t1=([\d.]+)")]
    private static partial Regex JobEndRegex();

    [GeneratedRegex(@"@@LAB-READY@@ t=([\d.]+)")]
    private static partial Regex ReadyRegex();

    internal static Level2Result Collect(IReadOnlyList<LabJob> jobs, string console, string stderr, string consoleLogPath,
        string runDirectory, int? qemuExit, bool timedOut, bool stalled, TimeSpan elapsed, TimeSpan lockWait, string hangDumps = "")
    {
        var ends = new Dictionary<string, (int Rc, double Seconds)>();
        foreach (Match m in JobEndRegex().Matches(console))
        {
            double t0 = double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
            double t1 = double.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
            ends[m.Groups[2].Value] = (int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), t1 - t0);
        }

        var results = new List<LabJobResult>();
        foreach (var job in jobs)
        {
            int? rc = null;
            double? seconds = null;
            if (ends.TryGetValue(job.Name, out var end))
            {
                rc = end.Rc;
                seconds = end.Seconds;
            }
            else
            {
                // The console marker can be garbled by kernel messages; the .rc file is the fallback.
                string rcPath = Path.ChangeExtension(job.OutputPath, ".rc");
                if (File.Exists(rcPath) && int.TryParse(File.ReadAllText(rcPath).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fileRc))
                    rc = fileRc;
            }
            results.Add(new LabJobResult
            {
                Name = job.Name,
                ExitCode = rc,
                Output = File.Exists(job.OutputPath) ? File.ReadAllText(job.OutputPath) : "",
                OutputPath = job.OutputPath,
                GuestSeconds = seconds,
            });
        }

        var ready = ReadyRegex().Match(console);
        return new Level2Result
        {
            Jobs = results,
            Console = console,
            QemuStderr = stderr,
            ConsoleLogPath = consoleLogPath,
            RunDirectory = runDirectory,
            QemuExitCode = qemuExit,
            TimedOut = timedOut || stalled,
            Stalled = stalled,
            Completed = console.Contains(Level2Initramfs.DoneMarker, StringComparison.Ordinal) && results.All(r => r.ExitCode is not null),
            Elapsed = elapsed,
            LockWait = lockWait,
            HangDumps = hangDumps,
            GuestBootSeconds = ready.Success ? double.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture) : null,
        };
    }
}
