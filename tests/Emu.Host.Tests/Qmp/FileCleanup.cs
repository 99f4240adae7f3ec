namespace Emu.Host.Tests.Qmp;

/// <summary>Deletes a test's file at the end of a using block.</summary>
internal sealed class FileCleanup(string path) : IDisposable
{
    public void Dispose() => File.Delete(path);
}
