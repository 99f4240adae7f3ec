namespace Emu.Lab;

// A shell script run inside level 2, chrooted in the host's root (/bin/sh is the host's),
// with cwd = $LAB_DIR (the run directory) and this environment:
//   PATH        $LAB_DIR/bin (lab-bind-vfio, lab-pci) then the usual directories
//   LAB_DIR     the run directory: same path on host and in level 2, uncached 9p
//   LAB_JOB     this job's name; its output goes to $LAB_DIR/<name>.out
//   LAB_KERNEL  /boot/vmlinuz-<ver>, the kernel level 2 runs (boot it at level 3 too)
//   LAB_KERNEL_VERSION, HOME=/root, TERM=dumb, LANG=C.UTF-8, DOTNET_NOLOGO=1 ...
// stdin is /dev/null; stdout and stderr go to $LAB_DIR/<name>.out.
public sealed class LabJob
{
    internal LabJob(string name, string script, string scriptPath, string outputPath)
    {
        Name = name;
        Script = script;
        ScriptPath = scriptPath;
        OutputPath = outputPath;
    }

    public string Name { get; }
    public string Script { get; }
    public string ScriptPath { get; }
    public string OutputPath { get; }
}

// What one job did.
public sealed class LabJobResult
{
    public required string Name { get; init; }

    // The script's exit status; null if it never finished (timeout, guest crash).
    public int? ExitCode { get; init; }

    // Everything the script wrote to stdout and stderr.
    public required string Output { get; init; }

    public required string OutputPath { get; init; }

    // Seconds the job took, measured by the level-2 guest's clock; null if unknown.
    public double? GuestSeconds { get; init; }

    public bool Succeeded => ExitCode == 0;

    // Output split into lines, without carriage returns.
    public IReadOnlyList<string> OutputLines => TextLines.Split(Output);

    public override string ToString() => $"job {Name}: exit {(ExitCode?.ToString() ?? "none")}";
}
