using Emu.Core.Machines;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-cpus-fast: each vCPU's index, host thread id, object path and
/// topology, without stopping or even touching the vCPUs.
/// </summary>
internal sealed class QueryCpusFastCommand : QmpCommand
{
    public override string Name => "query-cpus-fast";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var w = call.Result;
        w.WriteStartArray();
        foreach (VcpuRunner vcpu in call.Context.Vm.Machine.Controller.Vcpus)
        {
            w.WriteStartObject();
            w.WriteNumber("thread-id", vcpu.ThreadId);
            // One socket, one thread per core: -smp N gives N cores.
            w.WriteStartObject("props");
            w.WriteNumber("core-id", vcpu.Index);
            w.WriteNumber("thread-id", 0);
            w.WriteNumber("socket-id", 0);
            w.WriteEndObject();
            w.WriteString("qom-path", $"/machine/unattached/device[{vcpu.Index}]");
            w.WriteNumber("cpu-index", vcpu.Index);
            w.WriteString("target", "x86_64");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
