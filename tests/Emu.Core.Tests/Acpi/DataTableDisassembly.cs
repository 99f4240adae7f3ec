using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Core.Tests.Acpi;

/// <summary>
/// Reads iasl's disassembly of a data table: lines such as
/// <c>[040h 0064   4]   PM1A Control Block Address : 00000604</c> and decoded
/// flag lines such as <c>   Reset Register Supported (V2) : 1</c>.
/// </summary>
internal sealed partial class DataTableDisassembly
{
    private readonly List<(string Name, string Value)> _fields = new();
    private readonly List<(string Name, string Value)> _flags = new();

    public DataTableDisassembly(string dsl)
    {
        Text = dsl;
        foreach (string line in dsl.Split('\n'))
        {
            Match field = FieldLine().Match(line);
            if (field.Success)
            {
                _fields.Add((field.Groups[1].Value.Trim(), field.Groups[2].Value.Trim()));
                continue;
            }
            Match flag = FlagLine().Match(line);
            if (flag.Success)
                _flags.Add((flag.Groups[1].Value.Trim(), flag.Groups[2].Value));
        }
    }

    public string Text { get; }

    /// <summary>All values of fields with this name, in table order (subtables repeat names).</summary>
    public IReadOnlyList<string> Values(string name) => _fields.Where(f => f.Name == name).Select(f => f.Value).ToList();

    /// <summary>The single value of a field, first token only (iasl appends comments such as "[SystemIO]").</summary>
    public string Value(string name)
    {
        var values = Values(name);
        Assert.True(values.Count == 1, $"expected one '{name}' field, found {values.Count}");
        return values[0].Split(' ')[0];
    }

    /// <summary>A field's value read as hexadecimal, iasl's notation for numbers.</summary>
    public ulong Hex(string name) => ulong.Parse(Value(name), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The nth occurrence of a field, as hexadecimal.</summary>
    public ulong Hex(string name, int index) =>
        ulong.Parse(Values(name)[index].Split(' ')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>A decoded flag field; the name is iasl's description without the "(Vn)" suffix.</summary>
    public int Flag(string description)
    {
        var values = FlagValues(description);
        Assert.True(values.Count == 1, $"expected one flag '{description}', found {values.Count}");
        return values[0];
    }

    /// <summary>All decoded flag fields with this description, in table order.</summary>
    public IReadOnlyList<int> FlagValues(string description) =>
        _flags.Where(f => f.Name == description || f.Name.StartsWith(description + " (", StringComparison.Ordinal))
            .Select(f => int.Parse(f.Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Fields whose name starts with a prefix, such as the XSDT's "ACPI Table Address   0", "... 1".</summary>
    public IReadOnlyList<string> ValuesStartingWith(string prefix) =>
        _fields.Where(f => f.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(f => f.Value).ToList();

    /// <summary>The subtable types of a table with subtables (MADT), in order, e.g. "Processor Local APIC".</summary>
    public IReadOnlyList<string> SubtableTypes() =>
        Values("Subtable Type").Select(v => SubtableName().Match(v).Groups[1].Value).ToList();

    [GeneratedRegex(@"^\[[0-9A-F]+h \d+ +\d+\]\s+(.+?) : (.*)$")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^\s+([^\[\s].*?) : (\d)\s*$")]
    private static partial Regex FlagLine();

    [GeneratedRegex(@"\[(.+)\]")]
    private static partial Regex SubtableName();
}
