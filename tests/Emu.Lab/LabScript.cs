using System.Diagnostics;

namespace Emu.Lab;

// Runs one of the repository's lab set-up scripts (scripts/lab/*.sh) with the lab's cache
// directory in EMU_LAB_CACHE, for what a test needs on first use (a kernel built, a
// package unpacked). A failure is the lab being unavailable, with the script's output.
public static class LabScript
{
    public static void Run(string relativePath, LabEnvironment env)
    {
        string script = Path.Combine(RepositoryRoot(relativePath), relativePath);
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.Environment["EMU_LAB_CACHE"] = env.CacheDirectory;
        using var p = Process.Start(psi) ?? throw new LabUnavailableException($"cannot start {script}");
        var errors = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new LabUnavailableException($"{script} failed ({p.ExitCode}): {output.Trim()} {errors.GetAwaiter().GetResult().Trim()}");
    }

    // The checkout this test build came from: the first directory above the test binaries
    // that holds the script.
    static string RepositoryRoot(string relativePath)
    {
        for (string? d = AppContext.BaseDirectory.TrimEnd('/'); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, relativePath)))
                return d;
        }
        throw new LabUnavailableException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }
}
