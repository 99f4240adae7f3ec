using System.Diagnostics;
using System.Reflection;

namespace Emu.Benchmarks.Shared;

/// <summary>
/// Where a runner that needs KVM measures: on this machine when /dev/kvm works,
/// otherwise inside level 2 of the nested lab (tests/Emu.Lab/README.md), which has
/// real KVM. There the runner is started again with the same arguments through
/// tests/Emu.Lab.Run (lab-run), so every VMM it compares runs in the same level-2
/// boot and the ratios stay comparable.
/// </summary>
internal static class BenchmarkLevel2
{
    /// <summary>True when /dev/kvm opens read-write here (level 1, or already inside level 2).</summary>
    public static bool KvmWorksHere
    {
        get
        {
            try
            {
                using var kvm = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    /// <summary>Runs this runner inside level 2 with <paramref name="args"/>; returns its exit status.</summary>
    public static int Relaunch(string repository, IReadOnlyList<string> args)
    {
        Console.Error.WriteLine("no usable /dev/kvm here: running the comparison inside level 2 of the nested lab (every VMM in the same level-2 run)");
        BenchmarkProcess.Run("dotnet", "build", Path.Combine(repository, "tests", "Emu.Lab.Run", "Emu.Lab.Run.csproj"), "-c", "Release", "--nologo", "-v:q");
        string labRun = Path.Combine(repository, "tests", "Emu.Lab.Run", "bin", "Release", "net10.0", "lab-run.dll");
        string self = Assembly.GetEntryAssembly()?.Location is { Length: > 0 } location
            ? location
            : throw new InvalidOperationException("cannot tell which runner to start in level 2");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (string a in new[] { labRun, "--timeout", "180", "--", "dotnet", self })
            psi.ArgumentList.Add(a);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process run = Process.Start(psi) ?? throw new InvalidOperationException("cannot start lab-run");
        run.WaitForExit();
        return run.ExitCode;
    }
}
