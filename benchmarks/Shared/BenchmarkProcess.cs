using System.Diagnostics;

namespace Emu.Benchmarks.Shared;

/// <summary>Runs a helper command of a benchmark runner (gcc, make, dotnet publish, a measurer) to completion.</summary>
internal static class BenchmarkProcess
{
    /// <summary>The command's stdout followed by its stderr; throws with both when it exits non-zero.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}{stdout.Result}");
        return stdout.Result + stderr;
    }
}
