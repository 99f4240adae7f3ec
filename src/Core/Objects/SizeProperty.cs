using System.Globalization;
using System.Text.Json;

namespace Emu.Core.Objects;

/// <summary>
/// A byte count with QEMU's suffixes: K, M, G, T, P, E (powers of 1024) and
/// B for bytes. A bare number means bytes unless <see cref="DefaultSuffix"/> says
/// otherwise (as for <c>-m</c>, where it means MiB).
/// </summary>
public sealed class SizeProperty : Property<ulong>
{
    public SizeProperty(string name, ulong defaultValue, string description, bool mutable = false, ulong max = ulong.MaxValue)
        : base(name, defaultValue, description, mutable)
    {
        Max = max;
    }

    public ulong Max { get; }

    public override string TypeName => "size";

    public override ulong ParseValue(string text)
    {
        if (!TryParseSize(text, 1, out ulong value))
            throw Invalid(text, "a size (e.g. 4096, 64K, 2M, 1G)");
        if (value > Max)
            throw new PropertyValueException($"Parameter '{Name}' is at most {Max}, not '{text}'");
        return value;
    }

    public override string FormatValue(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses "512", "64K", "1.5G"... A bare number is multiplied by <paramref name="defaultUnit"/>.</summary>
    public static bool TryParseSize(string text, ulong defaultUnit, out ulong value)
    {
        value = 0;
        string t = text.Trim();
        if (t.Length == 0)
            return false;
        ulong unit = defaultUnit;
        char last = char.ToUpperInvariant(t[^1]);
        int shift = "BKMGTPE".IndexOf(last);
        if (shift >= 0)
        {
            unit = 1UL << (10 * shift);
            t = t[..^1];
        }
        if (t.Length == 0 || t.StartsWith('-') || t.StartsWith('+'))
            return false;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex))
                return false;
            return TryMultiply(hex, unit, out value);
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            return false;
        decimal bytes;
        try
        {
            bytes = number * unit;
        }
        catch (OverflowException)
        {
            return false;
        }
        if (bytes > ulong.MaxValue || bytes != decimal.Truncate(bytes))
            return false;
        value = (ulong)bytes;
        return true;
    }

    private static bool TryMultiply(ulong a, ulong b, out ulong result)
    {
        UInt128 r = (UInt128)a * b;
        result = (ulong)r;
        return r <= ulong.MaxValue;
    }

    public override object? FromJson(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Number && json.TryGetUInt64(out ulong v))
        {
            if (v > Max)
                throw new PropertyValueException($"Parameter '{Name}' is at most {Max}");
            return v;
        }
        if (json.ValueKind == JsonValueKind.String)
            return ParseValue(json.GetString()!);
        throw InvalidJson(json, "size");
    }

    public override void WriteJson(Utf8JsonWriter writer, object? value) => writer.WriteNumberValue((ulong)value!);
}
