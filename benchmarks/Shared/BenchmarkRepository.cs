namespace Emu.Benchmarks.Shared;

/// <summary>The work tree a benchmark runner was built in, and emu published from it.</summary>
internal static class BenchmarkRepository
{
    /// <summary>The directory holding Emu.sln above the runner's own build output.</summary>
    public static string Find()
    {
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Emu.sln")))
                return dir;
        }
        throw new InvalidOperationException($"no Emu.sln above {AppContext.BaseDirectory}: run from inside the repository");
    }

    /// <summary>
    /// Publishes emu into <paramref name="output"/> (emptied first) as it is installed:
    /// one NativeAOT executable (the publish settings of
    /// src/Host/Emu.Host.csproj for a runtime identifier). Returns the emu executable.
    /// </summary>
    public static string PublishEmu(string repository, string output)
    {
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true);
        BenchmarkProcess.Run("dotnet", "publish", Path.Combine(repository, "src", "Host", "Emu.Host.csproj"), "-c", "Release", "-r", "linux-x64", "-o", output, "--nologo");
        return Path.Combine(output, "emu");
    }
}
