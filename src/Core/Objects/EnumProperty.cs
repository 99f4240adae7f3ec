using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>One of a fixed set of names.</summary>
public sealed class EnumProperty : Property<string>
{
    public EnumProperty(string name, string defaultValue, IReadOnlyList<string> values, string description, bool mutable = false)
        : base(name, defaultValue, description, mutable)
    {
        if (!values.Contains(defaultValue))
            throw new ArgumentException($"default '{defaultValue}' is not one of the values", nameof(defaultValue));
        Values = values;
    }

    public IReadOnlyList<string> Values { get; }

    public override string TypeName => "enum";

    public override string ParseValue(string text)
    {
        if (!Values.Contains(text))
            throw new PropertyValueException($"Parameter '{Name}' does not accept value '{text}' (one of: {string.Join(", ", Values)})");
        return text;
    }

    public override object? FromJson(JsonElement json) =>
        json.ValueKind == JsonValueKind.String ? ParseValue(json.GetString()!) : throw InvalidJson(json, "string");

    public override void WriteJson(Utf8JsonWriter writer, object? value) => writer.WriteStringValue((string)value!);
}
