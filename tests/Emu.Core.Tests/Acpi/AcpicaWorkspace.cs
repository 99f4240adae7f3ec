using System.Diagnostics;

namespace Emu.Core.Tests.Acpi;

/// <summary>
/// A private temporary directory in which the tests write tables and run
/// iasl (iasl -d picks the table type from the signature) and acpiexec.
/// </summary>
internal sealed class AcpicaWorkspace : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public AcpicaWorkspace()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("emu-acpi-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public string WriteTable(ReadOnlySpan<byte> table, string name)
    {
        string file = PathOf(name + ".dat");
        File.WriteAllBytes(file, table.ToArray());
        return file;
    }

    /// <summary>Writes the table to name.dat, disassembles it with iasl -d and returns name.dsl.</summary>
    public string Disassemble(ReadOnlySpan<byte> table, string name)
    {
        string dat = WriteTable(table, name);
        ToolResult result = Iasl("-d", dat);
        string dsl = PathOf(name + ".dsl");
        if (result.ExitCode != 0 || !File.Exists(dsl))
            throw new InvalidOperationException($"iasl -d {name}.dat failed with exit code {result.ExitCode}:\n{result.Output}");
        return File.ReadAllText(dsl);
    }

    public ToolResult Iasl(params string[] arguments) => Run(AcpicaTools.Require(AcpicaTools.IaslPath, "iasl"), arguments);

    public ToolResult Acpiexec(params string[] arguments) => Run(AcpicaTools.Require(AcpicaTools.AcpiexecPath, "acpiexec"), arguments);

    private ToolResult Run(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        process.StandardInput.Close(); // acpiexec falls into its debugger prompt if batch mode ever ends early
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in {s_timeout.TotalSeconds} s");
        }
        return new ToolResult(process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is not a test failure.
        }
    }
}
