using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>device-list-properties: a device type's properties with type, description and default.</summary>
internal sealed class DeviceListPropertiesCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { new("typename", QmpArgumentType.String) };

    public override string Name => "device-list-properties";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        string name = call.Arguments.GetString("typename");
        ObjectType type = call.Context.Vm.Registry.Find(name)
            ?? throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{name}' not found");
        if (!type.IsA("device") || type.IsAbstract)
            throw new QmpException("Parameter 'typename' expects a non-abstract device type");
        var w = call.Result;
        w.WriteStartArray();
        foreach (PropertyInfo p in type.Properties)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("type", p.TypeName);
            if (p.Description.Length > 0)
                w.WriteString("description", p.Description);
            if (p.DefaultValue != null)
            {
                w.WritePropertyName("default-value");
                p.WriteJson(w, p.DefaultValue);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
