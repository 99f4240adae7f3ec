using System.Diagnostics;

namespace Emu.E2E;

/// <summary>Builds and runs the native helpers (the KVM floor and the measurer) and other commands.</summary>
internal static class Tools
{
    public static string Compile(string source, string outputDir)
    {
        string binary = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(source));
        Run("gcc", "-O2", "-Wall", "-Werror", "-o", binary, source);
        return binary;
    }

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
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        return stdout.Result + stderr;
    }

    /// <summary>Runs <paramref name="command"/> under the measurer: exec-to-exit time, peak RSS, status.</summary>
    public static Measurement Measure(string measurer, string[] command)
    {
        string line = Run(measurer, command).Trim();
        string[] parts = line.Split(' ');
        return new Measurement(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1]), int.Parse(parts[2]));
    }
}
