using Emu.Lab;

namespace Emu.Lab.Tests;

/// <summary>
/// The emu that the lab's migration runs start in level 2: the installed one,
/// a NativeAOT executable, when <c>EMU_INSTALLED</c> names it (scripts/test.sh
/// and benchmarks/migration/run.sh publish it with
/// <c>dotnet publish src/Host -c Release -r linux-x64</c>), else the JIT build of
/// this work tree (<c>dotnet emu.dll</c>), which spends seconds of a first
/// migration compiling in level 2's emulated CPU. Migrations are timed, so
/// what users run is what should be measured.
/// </summary>
internal static class InstalledEmu
{
    public const string Variable = "EMU_INSTALLED";

    /// <summary>The executable's full path, or null when the JIT build is used.</summary>
    public static string? Executable
    {
        get
        {
            string? installed = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(installed))
                return null;
            string full = Path.GetFullPath(installed);
            if (!File.Exists(full))
                throw new FileNotFoundException($"{Variable}={installed} does not exist", installed);
            // Level 2 sees the host's file system except /tmp, which is a tmpfs of its own there.
            if (full.StartsWith("/tmp/", StringComparison.Ordinal))
                throw new ArgumentException($"{Variable}={installed}: level 2 has its own /tmp; publish emu elsewhere (e.g. under /var/tmp or the work tree)");
            return full;
        }
    }

    /// <summary>The command that starts emu, for a shell in level 2.</summary>
    public static string ShellCommand =>
        Executable is string exe ? ShellQuote.Quote(exe) : $"dotnet {ShellQuote.Quote(VfioLabRun.EmuDll)}";

    /// <summary>What the run says about the emu it used.</summary>
    public static string Describe() =>
        Executable is string exe ? $"emu as installed ({exe}, NativeAOT)" : $"the JIT build (dotnet {VfioLabRun.EmuDll}; set {Variable} to an installed emu)";
}
