using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>
/// A declared property of an object type: name, value type, default and
/// description. Values arrive as text (command line, -global, compat
/// properties) or JSON (QMP) and are parsed once, here, into the typed value.
/// </summary>
public abstract class PropertyInfo
{
    protected PropertyInfo(string name, string description, bool mutable)
    {
        Name = name;
        Description = description;
        Mutable = mutable;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>True when the property may change while the machine runs (qom-set after realize).</summary>
    public bool Mutable { get; }

    /// <summary>The type name shown to users, QEMU style: "bool", "uint16", "size", "str", "link&lt;drive&gt;"...</summary>
    public abstract string TypeName { get; }

    public abstract object? DefaultValue { get; }

    /// <summary>Parses a command-line value; throws <see cref="PropertyValueException"/> with a user-facing message.</summary>
    public abstract object? Parse(string text);

    /// <summary>Converts a QMP JSON value; throws <see cref="PropertyValueException"/>.</summary>
    public abstract object? FromJson(JsonElement json);

    /// <summary>Writes the value as QMP JSON.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, object? value);

    /// <summary>Formats a value the way <see cref="Parse"/> reads it.</summary>
    public abstract string Format(object? value);

    public override string ToString() => $"{Name}=<{TypeName}>";
}
