namespace Emu.Host.Tests.Qmp;

/// <summary>Removes a test's directory at the end of a using block.</summary>
internal sealed class DirectoryCleanup(string directory) : IDisposable
{
    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
