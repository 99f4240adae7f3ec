using System.Text;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>Runs cases on the host and on the software CPU and collects the ones whose outcomes differ.</summary>
internal sealed class DifferentialRun
{
    private DifferentialRun(int cases, List<string> mismatches, Dictionary<int, int> vectors, TimeSpan host, TimeSpan soft)
    {
        Cases = cases;
        Mismatches = mismatches;
        Vectors = vectors;
        HostTime = host;
        SoftTime = soft;
    }

    public TimeSpan HostTime { get; }

    public TimeSpan SoftTime { get; }

    public int Cases { get; }

    /// <summary>Cases whose outcomes differ: these fail the test.</summary>
    public IReadOnlyList<string> Mismatches { get; }

    /// <summary>How many cases ended in each exception on the host (to see that faults were exercised).</summary>
    public IReadOnlyDictionary<int, int> Vectors { get; }

    /// <summary>Cases per host run (each outcome holds a copy of the data region, so a long campaign goes in chunks).</summary>
    private const int Chunk = 4096;

    public static DifferentialRun Execute(NativeOracle oracle, IReadOnlyList<TestCase> cases)
    {
        var hostClock = new System.Diagnostics.Stopwatch();
        var softClock = new System.Diagnostics.Stopwatch();
        var vectors = new Dictionary<int, int>();
        var disagreeing = new List<(TestCase Case, CaseOutcome Host, CaseOutcome Soft)>();
        using (var machine = new SoftCpuMachine())
        {
            for (int start = 0; start < cases.Count; start += Chunk)
            {
                TestCase[] chunk = cases.Skip(start).Take(Chunk).ToArray();
                hostClock.Start();
                IReadOnlyList<CaseOutcome> host = oracle.Run(chunk);
                hostClock.Stop();
                softClock.Start();
                for (int i = 0; i < chunk.Length; i++)
                {
                    vectors[host[i].Vector] = vectors.GetValueOrDefault(host[i].Vector) + 1;
                    CaseOutcome soft = machine.Run(chunk[i]);
                    if (CaseComparer.Find(chunk[i], host[i], soft) != null)
                        disagreeing.Add((chunk[i], host[i], soft));
                }
                softClock.Stop();
            }
        }
        // The host is asked again, up to three times, about every case it disagreed on: now and then (a few cases in
        // 100,000 on this VM, more often in long-running ones) it reports a #UD on an INT3 or a branch target that it
        // executes fine the next time, which looks like the hypervisor's instruction emulation (KVM injects #UD when it
        // cannot emulate) rather than the CPU. A case the host agrees on once is counted as host noise.
        var open = Enumerable.Range(0, disagreeing.Count).ToList();
        var last = disagreeing.Select(d => d.Host).ToArray();
        int unsteady = 0;
        for (int attempt = 0; attempt < 3 && open.Count > 0; attempt++)
        {
            IReadOnlyList<CaseOutcome> again = oracle.Run(open.Select(n => disagreeing[n].Case).ToArray());
            var still = new List<int>();
            for (int k = 0; k < open.Count; k++)
            {
                int n = open[k];
                (TestCase c, _, CaseOutcome soft) = disagreeing[n];
                if (CaseComparer.Find(c, last[n], again[k]) != null)
                    unsteady++;
                last[n] = again[k];
                if (CaseComparer.Find(c, again[k], soft) != null)
                    still.Add(n);
            }
            open = still;
        }
        var mismatches = new List<string>();
        foreach (int n in open)
            mismatches.Add(CaseComparer.Find(disagreeing[n].Case, last[n], disagreeing[n].Soft)!.Text);
        return new DifferentialRun(cases.Count, mismatches, vectors, hostClock.Elapsed, softClock.Elapsed) { UnsteadyHostOutcomes = unsteady };
    }

    /// <summary>Times the host answered a case differently when asked again (see <see cref="Execute"/>).</summary>
    public int UnsteadyHostOutcomes { get; private init; }

    /// <summary>A summary and the first mismatches, for the test's failure message and output.</summary>
    public string Summary(string name, int shown = 25)
    {
        var s = new StringBuilder();
        s.Append(name).Append(": ").Append(Cases).Append(" cases, ").Append(Mismatches.Count).Append(" mismatches; host exceptions: ");
        s.AppendJoin(", ", Vectors.OrderBy(v => v.Key).Select(v => $"{ExceptionNames.Name(v.Key)} {v.Value}"));
        s.Append($"; host {HostTime.TotalMilliseconds:F0} ms, software CPU {SoftTime.TotalMilliseconds:F0} ms");
        if (UnsteadyHostOutcomes > 0)
            s.Append($"; {UnsteadyHostOutcomes} host outcome(s) not reproduced when run again");
        s.AppendLine();
        foreach (string m in Mismatches.Take(shown))
            s.AppendLine(m);
        if (Mismatches.Count > shown)
            s.Append("... and ").Append(Mismatches.Count - shown).AppendLine(" more");
        return s.ToString();
    }
}
