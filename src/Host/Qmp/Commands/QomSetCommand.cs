using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// qom-set: changes a property. Before an object is live any property may
/// change; afterwards only those declared mutable, and the object may refuse
/// the value (the old one then stays).
/// </summary>
internal sealed class QomSetCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        new("path", QmpArgumentType.String), new("property", QmpArgumentType.String), new("value", QmpArgumentType.Any),
    };

    public override string Name => "qom-set";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override bool Exclusive => true;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        EmuObject obj = QomPath.Resolve(call, call.Arguments.GetString("path"));
        string name = call.Arguments.GetString("property");
        PropertyInfo property = obj.Type.FindProperty(name)
            ?? throw new QmpException(name == "type" || obj.FindChild(name) != null
                ? $"Property '{obj.Type.Name}.{name}' is read-only"
                : $"Property '{obj.Type.Name}.{name}' not found");
        if (obj.IsRealized && !property.Mutable)
            throw new QmpException($"Attempt to set property '{name}' on {Describe(obj)} after it was realized (only properties that may change at run time can)");
        obj.SetValue(property, property.FromJson(call.Arguments.Get("value")));
        return ValueTask.CompletedTask;
    }

    private static string Describe(EmuObject obj) => obj.Id != null ? $"'{obj.Id}' (type '{obj.Type.Name}')" : $"'{obj.CanonicalPath}' (type '{obj.Type.Name}')";
}
