using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>on/off, as QEMU spells it (also yes/no, true/false).</summary>
public sealed class BoolProperty : Property<bool>
{
    public BoolProperty(string name, bool defaultValue, string description, bool mutable = false)
        : base(name, defaultValue, description, mutable)
    {
    }

    public override string TypeName => "bool";

    public override bool ParseValue(string text) => text switch
    {
        "on" or "yes" or "true" or "y" => true,
        "off" or "no" or "false" or "n" => false,
        _ => throw Invalid(text, "'on' or 'off'"),
    };

    public override string FormatValue(bool value) => value ? "on" : "off";

    public override object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => ParseValue(json.GetString()!),
        _ => throw InvalidJson(json, "boolean"),
    };

    public override void WriteJson(Utf8JsonWriter writer, object? value) => writer.WriteBooleanValue((bool)value!);
}
