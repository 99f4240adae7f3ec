using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// qom-get: the current value of one property ("type" gives the type name, a
/// child gives its canonical path). Values are read live: a property changed
/// by qom-set, or set by a machine version's compat properties, shows here.
/// </summary>
internal sealed class QomGetCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { new("path", QmpArgumentType.String), new("property", QmpArgumentType.String) };

    public override string Name => "qom-get";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        EmuObject obj = QomPath.Resolve(call, call.Arguments.GetString("path"));
        string name = call.Arguments.GetString("property");
        if (name == "type")
        {
            call.Result.WriteStringValue(obj.Type.Name);
        }
        else if (obj.Type.FindProperty(name) is LinkProperty link && obj.GetValue(link) is string target
            && call.Context.Vm.Machine.Backends.GetValueOrDefault(target) is { Parent: not null } linked)
        {
            call.Result.WriteStringValue(linked.CanonicalPath); // a link reads as the path of what it points to
        }
        else if (obj.Type.FindProperty(name) is { } property)
        {
            property.WriteJson(call.Result, obj.GetValue(property));
        }
        else if (obj.FindChild(name) is { } child)
        {
            call.Result.WriteStringValue(child.CanonicalPath);
        }
        else
        {
            throw new QmpException($"Property '{obj.Type.Name}.{name}' not found");
        }
        return ValueTask.CompletedTask;
    }
}
