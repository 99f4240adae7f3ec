using Emu.Core.Machines;

namespace Emu.Host.Hosting;

/// <summary>The process exit status, decided by how the machine ended.</summary>
internal sealed class ExitStatus
{
    public MachineExit? Exit { get; set; }

    public int Code => Exit?.ExitCode ?? 1;
}
