namespace Emu.Host.Qmp.Commands;

/// <summary>query-kvm: {"enabled": the machine runs on KVM, "present": this host has KVM}.</summary>
internal sealed class QueryKvmCommand : QmpCommand
{
    public override string Name => "query-kvm";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        call.Result.WriteStartObject();
        call.Result.WriteBoolean("enabled", call.Context.Vm.Accelerator.Name == "kvm");
        call.Result.WriteBoolean("present", call.Context.Vm.Accelerator.Name == "kvm" || Emu.Accel.Kvm.KvmAccelerator.Probe() == null);
        call.Result.WriteEndObject();
        return ValueTask.CompletedTask;
    }
}
