using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>
/// A value for a property as the user gave it: text from the command line
/// (-device, -global, compat properties) or a JSON value from QMP
/// (device_add, qom-set). It is converted once, by the property it is for.
/// </summary>
public readonly struct PropertyInput
{
    private readonly string? _text;
    private readonly JsonElement _json;

    private PropertyInput(string? text, JsonElement json)
    {
        _text = text;
        _json = json;
    }

    public static PropertyInput FromText(string text) => new(text, default);

    public static PropertyInput FromJson(JsonElement json) => new(null, json.Clone());

    public bool IsText => _text != null;

    /// <summary>Parses the value for <paramref name="property"/>; throws <see cref="PropertyValueException"/>.</summary>
    public object? ConvertFor(PropertyInfo property) => _text != null ? property.Parse(_text) : property.FromJson(_json);

    public override string ToString() => _text ?? _json.GetRawText();

    public static implicit operator PropertyInput(string text) => FromText(text);
}
