using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>A property whose values are <typeparamref name="T"/>.</summary>
public abstract class Property<T> : PropertyInfo
{
    protected Property(string name, T defaultValue, string description, bool mutable)
        : base(name, description, mutable)
    {
        Default = defaultValue;
    }

    public T Default { get; }

    public override object? DefaultValue => Default;

    public override object? Parse(string text) => ParseValue(text);

    public abstract T ParseValue(string text);

    public virtual string FormatValue(T value) => value?.ToString() ?? "";

    public override string Format(object? value) => FormatValue((T)value!);

    protected PropertyValueException Invalid(string text, string expected) =>
        new($"Parameter '{Name}' expects {expected}, not '{text}'");

    protected PropertyValueException InvalidJson(JsonElement json, string expected) =>
        new($"Invalid parameter type for '{Name}', expected: {expected}");
}
