namespace Emu.Lab;

// Shortcuts for the common cases of Level2Run.
public static class Level2Lab
{
    // Boots level 2 once, runs one job script and returns the result (job: result.Job).
    public static Task<Level2Result> RunAsync(string script, Level2Options? options = null, CancellationToken cancellationToken = default) =>
        RunAsync([script], options, cancellationToken);

    // Boots level 2 once and runs the scripts one after the other (jobs job0, job1, ...).
    public static async Task<Level2Result> RunAsync(IEnumerable<string> scripts, Level2Options? options = null, CancellationToken cancellationToken = default)
    {
        using var run = Level2Run.Create(options);
        foreach (string s in scripts)
            run.AddJob(s);
        return await run.BootAsync(cancellationToken).ConfigureAwait(false);
    }
}
