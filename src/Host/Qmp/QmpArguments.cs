using System.Text.Json;

namespace Emu.Host.Qmp;

/// <summary>
/// A command's "arguments", checked against its declared parameters before
/// the command runs: missing, mistyped and unexpected members are refused
/// with QEMU's wording.
/// </summary>
internal sealed class QmpArguments
{
    private static readonly JsonElement s_empty = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly JsonElement _object;

    private QmpArguments(JsonElement obj) => _object = obj;

    public static QmpArguments Empty { get; } = new(s_empty);

    public JsonElement Raw => _object;

    /// <summary>Validates <paramref name="arguments"/> for <paramref name="command"/>; throws <see cref="QmpException"/>.</summary>
    public static QmpArguments Check(QmpCommand command, JsonElement? arguments)
    {
        JsonElement obj = arguments ?? s_empty;
        foreach (QmpParameter p in command.Parameters)
        {
            if (!obj.TryGetProperty(p.Name, out JsonElement value))
            {
                if (p.Required)
                    throw new QmpException($"Parameter '{p.Name}' is missing");
                continue;
            }
            if (!Matches(value, p.Type))
                throw new QmpException($"Invalid parameter type for '{p.Name}', expected: {TypeName(p.Type)}");
        }
        if (!command.AcceptsExtraArguments)
        {
            foreach (JsonProperty member in obj.EnumerateObject())
            {
                if (!command.Parameters.Any(p => p.Name == member.Name))
                    throw new QmpException($"Parameter '{member.Name}' is unexpected");
            }
        }
        return new QmpArguments(obj);
    }

    private static bool Matches(JsonElement value, QmpArgumentType type) => type switch
    {
        QmpArgumentType.String => value.ValueKind == JsonValueKind.String,
        QmpArgumentType.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        QmpArgumentType.Number => value.ValueKind == JsonValueKind.Number,
        QmpArgumentType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        QmpArgumentType.Object => value.ValueKind == JsonValueKind.Object,
        QmpArgumentType.Array => value.ValueKind == JsonValueKind.Array,
        _ => true,
    };

    private static string TypeName(QmpArgumentType type) => type switch
    {
        QmpArgumentType.String => "string",
        QmpArgumentType.Integer => "integer",
        QmpArgumentType.Number => "number",
        QmpArgumentType.Boolean => "boolean",
        QmpArgumentType.Object => "object",
        QmpArgumentType.Array => "array",
        _ => "any",
    };

    public bool Has(string name) => _object.TryGetProperty(name, out _);

    public string GetString(string name) => _object.GetProperty(name).GetString()!;

    public string? GetOptionalString(string name) => _object.TryGetProperty(name, out JsonElement v) ? v.GetString() : null;

    public bool GetBoolean(string name, bool fallback) => _object.TryGetProperty(name, out JsonElement v) ? v.GetBoolean() : fallback;

    public long? GetOptionalInteger(string name) => _object.TryGetProperty(name, out JsonElement v) ? v.GetInt64() : null;

    public JsonElement Get(string name) => _object.GetProperty(name);

    /// <summary>Members other than <paramref name="declared"/> (device_add's device properties).</summary>
    public IEnumerable<JsonProperty> Others(params string[] declared) =>
        _object.EnumerateObject().Where(m => !declared.Contains(m.Name));
}
