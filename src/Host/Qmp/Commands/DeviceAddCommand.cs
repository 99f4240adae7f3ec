using System.Text.Json;
using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// device_add: creates a device the way -device does (the same factory, so
/// compat properties and -global apply, then the given properties), checks
/// that the machine's catalog offers it, and plugs it into the running
/// machine through the hotplug controller of its bus.
/// </summary>
internal sealed class DeviceAddCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        new("driver", QmpArgumentType.String), QmpParameter.Optional("id", QmpArgumentType.String), QmpParameter.Optional("bus", QmpArgumentType.String),
    };

    public override string Name => "device_add";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override bool AcceptsExtraArguments => true;

    public override bool Exclusive => true;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var vm = call.Context.Vm;
        Machine machine = vm.Machine;
        string driver = call.Arguments.GetString("driver");
        string? id = call.Arguments.GetOptionalString("id");
        string? bus = call.Arguments.GetOptionalString("bus");
        // Before anything is made: a device realized and then refused for its
        // id would be seen by the guest and could never be deleted.
        if (id != null && !ObjectId.IsValid(id))
            throw new QmpException("Parameter 'id' expects an identifier");
        ObjectType type = vm.Registry.Find(driver) is { } t && t.IsA("device")
            ? t
            : throw new QmpException($"'{driver}' is not a valid device model name");
        if (type.IsAbstract)
            throw new QmpException("Parameter 'driver' expects a non-abstract device type");
        if (!type.UserCreatable)
            throw new QmpException($"Parameter 'driver' expects a device type the user may create; '{driver}' is part of the board");
        vm.Configuration.RequireAvailable(type, machine.Type.Name);
        if (id != null && machine.FindDevice(id) != null)
            throw new QmpException($"Duplicate device ID '{id}'");
        IEnumerable<KeyValuePair<string, PropertyInput>> properties = call.Arguments.Others("driver", "id", "bus")
            .Select(m => new KeyValuePair<string, PropertyInput>(m.Name, PropertyInput.FromJson(m.Value)));
        var device = (Device)vm.Objects.Create(driver, "device", id, properties);
        string busName = BusNames.For(device);
        if (bus != null && bus != busName)
            throw new QmpException($"Bus '{bus}' not found");
        if (machine.HotplugControllerFor(device) == null)
            throw new QmpException($"Bus '{busName}' does not support hotplugging");
        machine.HotplugDevice(device);
        return ValueTask.CompletedTask;
    }
}
