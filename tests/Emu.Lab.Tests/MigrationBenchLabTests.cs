using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// Issue 16, "Measure": emu's live migration, snapshot and restore against QEMU 10 with the
// same level-3 Linux guest and devices (virtio-blk, virtio-net, an mtty mdev) in the same
// level 2 (MigrationBenchLabRun). The test checks what a user would: under both VMMs every
// live migration completes and the destination runs the guest on, and every snapshot
// restores into a guest that runs on. The times are recorded, not asserted: level 2 is
// emulated by TCG on a shared machine. benchmarks/migration/run.sh runs more rounds.
public sealed class MigrationBenchLabTests(ITestOutputHelper output)
{
    [LabFact]
    public async Task Emu_and_QEMU_10_migrate_snapshot_and_restore_the_same_Linux_guest_with_an_mtty_mdev()
    {
        int rounds = MigrationBenchLabRun.RoundsFromEnvironment();
        MigrationBenchLabRun run = await MigrationBenchLabRun.RunAsync(rounds, output.WriteLine);
        Level2Result r = run.Result;
        foreach (string line in r.Job.OutputLines)
            output.WriteLine("migbench| " + line);
        Assert.True(r.Completed, r.Describe());
        var lines = r.Job.OutputLines;
        Assert.Contains($"kernel={MttyKernel.Version}", lines);
        Assert.Contains("migbench-done", lines);
        var figures = MigrationFigures.Parse(lines);
        foreach (string vmm in new[] { "qemu", "emu" })
        {
            for (int round = 1; round <= rounds; round++)
            {
                string p = $"round {round} {vmm} ";
                Assert.Contains(lines, l => l.StartsWith(p + "guest ready serial=1 ", StringComparison.Ordinal) && l.Contains("vda", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith(p + "live status=completed ", StringComparison.Ordinal) && l.Contains("dst=running", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith(p + "live-dst console-ready", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith(p + "save status=completed ", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith(p + "restore status=running ", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.StartsWith(p + "restored console-ready", StringComparison.Ordinal));
            }
        }
        foreach (string line in figures.Summary())
            output.WriteLine(line);
    }
}
