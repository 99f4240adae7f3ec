using System.Diagnostics;
using System.Text;

namespace Emu.Host.Tests;

/// <summary>Runs the built emu program as a user would and collects what it printed.</summary>
internal sealed record EmuProcess(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>
    /// The emu built with these tests, or the one EMU_UNDER_TEST names: the
    /// same tests then check a published emu (one NativeAOT executable) the way
    /// users install it.
    /// </summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("EMU_UNDER_TEST") is { Length: > 0 } published ? published : Path.Combine(AppContext.BaseDirectory, "emu");

    public static EmuProcess Run(params string[] args) => Run(TimeSpan.FromSeconds(60), args);

    public static EmuProcess Run(TimeSpan timeout, params string[] args)
    {
        using Process process = Start(args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"emu {string.Join(' ', args)} did not finish in {timeout}; stdout so far: {stdout.Result}");
        }
        return new EmuProcess(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(params string[] args) => StartUnder([], args);

    /// <summary>
    /// Starts emu through a launcher command that runs the rest of its arguments as a
    /// program, e.g. ["ip", "netns", "exec", NAME]: emu then runs in that network namespace.
    /// </summary>
    public static Process StartUnder(IReadOnlyList<string> launcher, params string[] args)
    {
        var psi = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string a in launcher.Skip(1))
            psi.ArgumentList.Add(a);
        if (launcher.Count > 0)
            psi.ArgumentList.Add(Executable);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        foreach (string a in Emu.Lab.TestAccelerator.ArgumentsFor(args))
            psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start emu");
    }

    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
