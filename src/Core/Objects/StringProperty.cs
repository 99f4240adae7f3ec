using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>Free text (a file name, a serial number...). Null means unset.</summary>
public sealed class StringProperty : Property<string?>
{
    public StringProperty(string name, string? defaultValue, string description, bool mutable = false)
        : base(name, defaultValue, description, mutable)
    {
    }

    public override string TypeName => "str";

    public override string? ParseValue(string text) => text;

    public override string FormatValue(string? value) => value ?? "";

    public override object? FromJson(JsonElement json) =>
        json.ValueKind == JsonValueKind.String ? json.GetString() : throw InvalidJson(json, "string");

    public override void WriteJson(Utf8JsonWriter writer, object? value)
    {
        if (value is string s)
            writer.WriteStringValue(s);
        else
            writer.WriteNullValue();
    }
}
