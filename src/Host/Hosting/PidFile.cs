namespace Emu.Host.Hosting;

/// <summary>-pidfile: the process id written at start and the file removed at exit.</summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    public static PidFile? Create(string? path)
    {
        if (path == null)
            return null;
        try
        {
            File.WriteAllText(path, Environment.ProcessId + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"-pidfile {path}: {e.Message}", e);
        }
        return new PidFile(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Already gone or unwritable directory: nothing left to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
