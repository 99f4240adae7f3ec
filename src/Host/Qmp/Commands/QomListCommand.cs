using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// qom-list: the properties of the object at "path": "type", its declared
/// properties with their types, and its children as "child&lt;TYPE&gt;".
/// </summary>
internal sealed class QomListCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { new("path", QmpArgumentType.String) };

    public override string Name => "qom-list";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        EmuObject obj = QomPath.Resolve(call, call.Arguments.GetString("path"));
        var w = call.Result;
        w.WriteStartArray();
        Write(w, "type", "string", null);
        foreach (PropertyInfo p in obj.Type.Properties)
            Write(w, p.Name, p.TypeName, p.Description);
        foreach ((string name, EmuObject child) in obj.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
            Write(w, name, $"child<{child.Type.Name}>", null);
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }

    private static void Write(System.Text.Json.Utf8JsonWriter w, string name, string type, string? description)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", type);
        if (!string.IsNullOrEmpty(description))
            w.WriteString("description", description);
        w.WriteEndObject();
    }
}
