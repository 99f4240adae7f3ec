using Emu.Core.Machines;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// device_del: asks the guest to release a device (by id or QOM path). The
/// reply comes at once; the device is gone when DEVICE_DELETED arrives.
/// </summary>
internal sealed class DeviceDelCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { new("id", QmpArgumentType.String) };

    public override string Name => "device_del";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override bool Exclusive => true;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        Machine machine = call.Context.Vm.Machine;
        string id = call.Arguments.GetString("id");
        Device device = machine.FindDevice(id)
            ?? (id.StartsWith('/') ? call.Context.Vm.Root.Resolve(id) as Device : null)
            ?? throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{id}' not found");
        if (machine.HotplugControllerFor(device) == null)
            throw new QmpException($"Bus '{BusNames.For(device)}' does not support hotplugging");
        machine.RequestUnplug(device);
        return ValueTask.CompletedTask;
    }
}
