using System.Globalization;
using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>
/// An integer within [Min, Max]. Accepts decimal, 0x hex and 0 octal like
/// QEMU's integer parser. The type name (uint8, uint16, uint32, uint64,
/// int32...) follows from the range.
/// </summary>
public sealed class IntegerProperty : Property<long>
{
    public IntegerProperty(string name, long defaultValue, long min, long max, string description, bool mutable = false, string? typeName = null)
        : base(name, defaultValue, description, mutable)
    {
        if (defaultValue < min || defaultValue > max)
            throw new ArgumentOutOfRangeException(nameof(defaultValue));
        Min = min;
        Max = max;
        TypeName = typeName ?? (min, max) switch
        {
            (0, byte.MaxValue) => "uint8",
            (0, ushort.MaxValue) => "uint16",
            (0, uint.MaxValue) => "uint32",
            (int.MinValue, int.MaxValue) => "int32",
            (0, long.MaxValue) => "uint64",
            _ => "int",
        };
    }

    public static IntegerProperty UInt8(string name, byte defaultValue, string description, bool mutable = false) =>
        new(name, defaultValue, 0, byte.MaxValue, description, mutable);

    public static IntegerProperty UInt16(string name, ushort defaultValue, string description, bool mutable = false) =>
        new(name, defaultValue, 0, ushort.MaxValue, description, mutable);

    public static IntegerProperty UInt32(string name, uint defaultValue, string description, bool mutable = false) =>
        new(name, defaultValue, 0, uint.MaxValue, description, mutable);

    public long Min { get; }

    public long Max { get; }

    public override string TypeName { get; }

    public override long ParseValue(string text)
    {
        if (!TryParseInteger(text, out long value))
            throw Invalid(text, "an integer");
        return Check(value, text);
    }

    private long Check(long value, string text)
    {
        if (value < Min || value > Max)
            throw new PropertyValueException($"Parameter '{Name}' expects a value in [{Min}, {Max}], not '{text}'");
        return value;
    }

    public static bool TryParseInteger(string text, out long value)
    {
        string t = text.Trim();
        bool negative = t.StartsWith('-');
        if (negative)
            t = t[1..];
        bool ok;
        ulong magnitude;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            ok = ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else if (t.Length > 1 && t[0] == '0' && t.All(c => c is >= '0' and <= '7'))
        {
            magnitude = 0;
            ok = true;
            foreach (char c in t)
                magnitude = checked(magnitude * 8 + (ulong)(c - '0'));
        }
        else
            ok = ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (!ok || magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            value = 0;
            return false;
        }
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    public override object? FromJson(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out long v))
            return Check(v, json.GetRawText());
        if (json.ValueKind == JsonValueKind.String)
            return ParseValue(json.GetString()!);
        throw InvalidJson(json, "integer");
    }

    public override void WriteJson(Utf8JsonWriter writer, object? value) => writer.WriteNumberValue((long)value!);
}
