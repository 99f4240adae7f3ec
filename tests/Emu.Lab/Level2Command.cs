using System.Globalization;
using System.Text;

namespace Emu.Lab;

// Runs one command inside level 2, in the same directory, as if here: the way a program
// that needs KVM (a benchmark runner comparing emu with QEMU-KVM) runs on a machine
// without it. The command's output is copied to `output` while it runs; the result is
// its exit status. A level 2 that crashes or hangs is booted once more (Level2Retry),
// and the retry is said on `output`.
public static class Level2Command
{
    // What the command's status is reported as when level 2 could not run it to its end.
    public const int Level2Failed = 125;

    public static async Task<int> RunAsync(IReadOnlyList<string> command, string workingDirectory, IEnumerable<string> forwardedVariables,
        TimeSpan timeout, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (command.Count == 0)
            throw new ArgumentException("no command to run in level 2", nameof(command));
        var script = new StringBuilder();
        foreach (string name in forwardedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                script.Append(CultureInfo.InvariantCulture, $"export {name}={ShellQuote.Quote(value)}\n");
        }
        script.Append(CultureInfo.InvariantCulture, $"cd {ShellQuote.Quote(workingDirectory)}\n");
        script.Append("exec ").Append(ShellQuote.Join(command)).Append('\n');
        try
        {
            return await Level2Retry.RunAsync(() => BootOnceAsync(script.ToString(), timeout, output, cancellationToken),
                line => output.WriteLine($"[level 2] {line}")).ConfigureAwait(false);
        }
        catch (LabException e)
        {
            output.WriteLine($"[level 2] {e.Message}");
            return Level2Failed;
        }
    }

    static async Task<int> BootOnceAsync(string script, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        using var run = Level2Run.Create(new Level2Options { Timeout = timeout });
        LabJob job = run.AddJob(script, "command");
        using var stop = new CancellationTokenSource();
        Task copy = FollowAsync(job.OutputPath, output, stop.Token);
        Level2Result result;
        try
        {
            result = await run.BootAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await copy.ConfigureAwait(false);
        }
        return result.Job.ExitCode ?? Level2Failed;
    }

    // Copies what the job writes to its output file, as it is written, until stopped (and
    // then the rest). The run directory is an uncached 9p mount inside level 2, so the file
    // grows here as the job writes it.
    static async Task FollowAsync(string path, TextWriter output, CancellationToken stop)
    {
        long offset = 0;
        var buffer = new byte[64 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            bool stopping = stop.IsCancellationRequested;
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Seek(offset, SeekOrigin.Begin);
                int n;
                while ((n = await stream.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
                {
                    offset += n;
                    int count = decoder.GetChars(buffer, 0, n, chars, 0);
                    await output.WriteAsync(chars, 0, count).ConfigureAwait(false);
                }
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            if (stopping)
                return;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
