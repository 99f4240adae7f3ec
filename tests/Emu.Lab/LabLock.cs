namespace Emu.Lab;

// One level-2 guest at a time per machine. A TCG guest keeps both cores of the CI machine
// busy; two at once would each run at half speed and risk their timeouts. dotnet test runs
// test projects in parallel, so the lock is an advisory file lock (flock, which .NET takes
// for FileShare.None on Unix) on <cache>/level2.lock, released by the kernel if the process dies.
public sealed class LabLock : IDisposable
{
    readonly FileStream _stream;

    LabLock(FileStream stream) => _stream = stream;

    // Waits (polling) until the lock is free or maxWait has passed.
    public static async Task<LabLock> AcquireAsync(string cacheDirectory, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        string path = Path.Combine(cacheDirectory, "level2.lock");
        var deadline = DateTime.UtcNow + maxWait;
        while (true)
        {
            try
            {
                var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new LabLock(fs);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new LabException($"another level-2 guest held {path} for more than {maxWait}: {e.Message}", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
