using Emu.Core.Diagnostics;
using Emu.Core.Machines;

namespace Emu.Host.Qmp.Hmp;

/// <summary>"info registers [-a]": the registers of the monitor's vCPU (or of all of them), read on the vCPU's own thread.</summary>
internal sealed class InfoRegistersHmp : HmpCommand
{
    public override string Name => "info registers";

    public override string Usage => "info registers [-a] -- show the CPU registers (-a: of every vCPU)";

    public override async Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex)
    {
        IEnumerable<int> cpus = arguments.Trim() switch
        {
            "" => new[] { cpuIndex },
            "-a" => context.Vm.Machine.Controller.Vcpus.Select(v => v.Index),
            _ => throw new QmpException($"info registers: unexpected '{arguments.Trim()}' (usage: {Usage})"),
        };
        var text = new HmpText();
        foreach (int cpu in cpus)
        {
            VcpuState state = await VcpuAccess.RunAsync(context, cpu, VcpuState.Read).ConfigureAwait(false);
            text.Line().Line($"CPU#{cpu}").Lines(CpuStateDump.FormatRegisters(state.Registers, state.Special));
        }
        return text.ToString();
    }
}
