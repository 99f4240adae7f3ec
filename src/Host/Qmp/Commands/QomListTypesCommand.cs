using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// qom-list-types: every type, or those that are or implement "implements";
/// abstract types (and interfaces) only with "abstract": true.
/// </summary>
internal sealed class QomListTypesCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        QmpParameter.Optional("implements", QmpArgumentType.String), QmpParameter.Optional("abstract", QmpArgumentType.Boolean),
    };

    public override string Name => "qom-list-types";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        TypeRegistry registry = call.Context.Vm.Registry;
        string? implements = call.Arguments.GetOptionalString("implements");
        bool includeAbstract = call.Arguments.GetBoolean("abstract", false);
        var w = call.Result;
        w.WriteStartArray();
        foreach (ObjectType type in registry.Types.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if ((implements != null && !type.IsA(implements)) || (type.IsAbstract && !includeAbstract))
                continue;
            w.WriteStartObject();
            w.WriteString("name", type.Name);
            if (type.Parent != null)
                w.WriteString("parent", type.Parent.Name);
            if (type.IsAbstract)
                w.WriteBoolean("abstract", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
