namespace Emu.Lab;

// Level 2 is Linux on QEMU-TCG emulating nested SVM and an IOMMU. In this lab its own
// kernel has panicked under load (a recursive page fault in KVM_RUN with a bad GS base:
// the host half of a VMRUN that TCG emulates) and has hung with no output. A boot that
// ends that way (Level2Result.Level2Crashed) is repeated once, and the log says so; a
// second failure is reported as it is. A hung emu inside level 2 looks the same from
// here, so a hang that repeats still fails the tests.
public static class Level2Retry
{
    // Runs bootOnce (which creates its own Level2Run and boots it) and, if level 2 crashed
    // or hung, runs it once more. Other failures (a job's non-zero exit, QEMU failing to
    // start, an init error) are not retried.
    public static async Task<T> RunAsync<T>(Func<Task<T>> bootOnce, Action<string> log)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await bootOnce().ConfigureAwait(false);
            }
            catch (LabRunException e) when (attempt == 1 && e.Result.Level2Crashed)
            {
                // Only real runs go in the journal (the harness's own tests retry made-up results).
                if (Directory.Exists(e.Result.RunDirectory))
                    Level2Journal.Record(LabEnvironment.Current, $"RETRY after {Why(e.Result)} in {Path.GetFileName(e.Result.RunDirectory)}");
                log($"LEVEL 2 CRASHED ({Why(e.Result)}; run dir {e.Result.RunDirectory}): booting it once more"
                    + (e.Result.HangDumps.Length > 0 ? "\nwhat level 2 recorded before the stall:\n" + e.Result.HangDumps : ""));
            }
        }
    }

    static string Why(Level2Result r) =>
        r.Stalled ? "no output: stalled" : r.TimedOut ? "timed out" : "kernel panic on its console";
}
