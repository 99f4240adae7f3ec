using System.Diagnostics;

namespace Emu.Host.Tests;

// The published emu is one native program: it runs where no .NET is installed.
public sealed class PublishedEmuTests
{
    // The ELF's needed libraries are the C library's: no libcoreclr, no host
    // resolver (a framework-dependent apphost finds libhostfxr by itself at run time,
    // so the running test below is what proves it).
    [PublishedEmuFact]
    public void It_links_no_dotnet_runtime()
    {
        string ldd = Run("ldd", EmuProcess.Executable).Stdout;
        Assert.DoesNotContain("coreclr", ldd);
        Assert.DoesNotContain("hostfxr", ldd);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(EmuProcess.Executable)!, "emu.dll")), "an emu.dll next to emu: not a native build");
    }

    // In a mount namespace where the .NET installation is an empty directory and
    // with no environment at all, emu still boots the built-in firmware on the software CPU.
    [PublishedEmuFact]
    public void It_runs_a_guest_without_a_dotnet_installation()
    {
        string dotnet = Path.GetDirectoryName(Path.GetFullPath(Environment.ProcessPath!)) is { } d && File.Exists(Path.Combine(d, "dotnet")) ? d : "/usr/share/dotnet";
        string hide = Directory.Exists(dotnet) ? $"mount -t tmpfs none {dotnet} && " : "";
        var (code, stdout, stderr) = Run("unshare", "--mount", "sh", "-c",
            $"{hide}exec env -i {EmuProcess.Executable} -accel tcg -fw_cfg name=opt/emu/mode,string=selftest");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("RESULT: PASS", stdout);
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
