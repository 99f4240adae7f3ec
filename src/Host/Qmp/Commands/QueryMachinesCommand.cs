using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-machines: every machine type, with its alias ("q35" names the
/// newest q35 version, which is the default), the most vCPUs the accelerator
/// allows, and QEMU's other MachineInfo members.
/// </summary>
internal sealed class QueryMachinesCommand : QmpCommand
{
    /// <summary>The machine used without -machine.</summary>
    public const string DefaultAlias = "q35";

    public override string Name => "query-machines";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        TypeRegistry registry = call.Context.Vm.Registry;
        string? defaultType = registry.AliasTarget(DefaultAlias);
        var w = call.Result;
        w.WriteStartArray();
        foreach (ObjectType type in registry.TypesOf("machine"))
        {
            w.WriteStartObject();
            w.WriteString("name", type.Name);
            string? alias = registry.Aliases.FirstOrDefault(a => a.Value == type.Name).Key;
            if (alias != null)
                w.WriteString("alias", alias);
            if (type.Name == defaultType)
                w.WriteBoolean("is-default", true);
            w.WriteNumber("cpu-max", call.Context.Vm.Accelerator.MaxVcpus);
            w.WriteBoolean("hotpluggable-cpus", false);
            w.WriteBoolean("numa-mem-supported", false);
            w.WriteBoolean("deprecated", false);
            w.WriteString("default-cpu-type", "host-x86_64-cpu");
            w.WriteString("default-ram-id", "pc.ram");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
