using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>
/// A reference to another object by id or canonical path (a drive, a netdev,
/// a chardev). Stored as text; resolved when the object is realized, against
/// objects whose type is <see cref="TargetType"/>. The backend a link names
/// serves that one device, as in QEMU: a second device naming it is an error.
/// </summary>
public sealed class LinkProperty : Property<string?>
{
    public LinkProperty(string name, string targetType, string description)
        : base(name, null, description, mutable: false)
    {
        TargetType = targetType;
    }

    public string TargetType { get; }

    public override string TypeName => $"link<{TargetType}>";

    public override string? ParseValue(string text)
    {
        if (text.Length == 0)
            throw new PropertyValueException($"Parameter '{Name}' needs the id of a {TargetType}");
        return text;
    }

    public override string FormatValue(string? value) => value ?? "";

    public override object? FromJson(JsonElement json) =>
        json.ValueKind == JsonValueKind.String ? ParseValue(json.GetString()!) : throw InvalidJson(json, "string");

    public override void WriteJson(Utf8JsonWriter writer, object? value)
    {
        if (value is string s)
            writer.WriteStringValue(s);
        else
            writer.WriteNullValue();
    }
}
