using System.Diagnostics;

namespace Emu.Devices.Tests.Firmware;

/// <summary>Runs the emu program (built with these tests) to completion and keeps its output.</summary>
internal sealed record EmuRun(int ExitCode, string Output, string Errors)
{
    public static string EmuPath => typeof(Emu.Host.Program).Assembly.Location;

    public IReadOnlyList<string> Lines => Output.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static EmuRun Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(EmuPath);
        foreach (string a in args)
            info.ArgumentList.Add(a);
        foreach (string a in Emu.Lab.TestAccelerator.ArgumentsFor(args))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"emu {string.Join(' ', args)} did not finish: {output.Result}{errors.Result}");
        }
        return new EmuRun(process.ExitCode, output.Result, errors.Result);
    }

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Errors}";
}
