using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emu.Core.Tests.Acpi;

/// <summary>Reads iasl's ASL disassembly of a DSDT: device bodies, _CRS descriptors and _PRT entries.</summary>
internal sealed partial class AslDisassembly
{
    public AslDisassembly(string asl) => Text = asl;

    public string Text { get; }

    /// <summary>Names of all devices, in order ("C000", "PCI0", ...).</summary>
    public IReadOnlyList<string> DeviceNames() => DeviceLine().Matches(Text).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The text between the braces of Device (name).</summary>
    public string DeviceBody(string name)
    {
        int at = Text.IndexOf($"Device ({name})", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no Device ({name}) in the disassembly");
        return BracedBlockAfter(Text, at);
    }

    /// <summary>The descriptors of the first _CRS in the given text.</summary>
    public static IReadOnlyList<AslDescriptor> CrsDescriptors(string scope)
    {
        int at = scope.IndexOf("Name (_CRS, ResourceTemplate ()", StringComparison.Ordinal);
        Assert.True(at >= 0, "no _CRS resource template");
        string template = BracedBlockAfter(scope, at);
        var result = new List<AslDescriptor>();
        string? kind = null;
        var fields = new Dictionary<string, ulong>();
        var text = new StringBuilder();
        void Flush()
        {
            if (kind != null)
                result.Add(new AslDescriptor(kind, fields, text.ToString()));
            fields = new Dictionary<string, ulong>();
            text.Clear();
        }
        foreach (string line in template.Split('\n'))
        {
            Match start = DescriptorStart().Match(line);
            if (start.Success)
            {
                Flush();
                kind = start.Groups[1].Value;
            }
            text.AppendLine(line);
            Match value = ValueLine().Match(line);
            if (value.Success)
                fields[value.Groups[2].Value.Trim()] = ulong.Parse(value.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Match irqs = IrqList().Match(line);
            if (irqs.Success)
                fields["IRQ"] = ulong.Parse(irqs.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        Flush();
        return result;
    }

    /// <summary>The _PRT entries: (address, pin, source, GSI) from each Package (0x04) { ... }.</summary>
    public IReadOnlyList<(ulong Address, ulong Pin, string Source, ulong Gsi)> RoutingEntries()
    {
        int at = Text.IndexOf("Name (_PRT, Package", StringComparison.Ordinal);
        Assert.True(at >= 0, "no _PRT package");
        string prt = BracedBlockAfter(Text, at);
        return PrtEntry().Matches(prt)
            .Select(m => (Number(m.Groups[1].Value), Number(m.Groups[2].Value), m.Groups[3].Value, Number(m.Groups[4].Value)))
            .ToList();
    }

    private static ulong Number(string asl) => asl switch
    {
        "Zero" => 0,
        "One" => 1,
        _ => ulong.Parse(asl.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
    };

    private static string BracedBlockAfter(string text, int from)
    {
        int open = text.IndexOf('{', from);
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '{')
                depth++;
            else if (text[i] == '}' && --depth == 0)
                return text.Substring(open + 1, i - open - 1);
        }
        throw new InvalidOperationException("unbalanced braces in the disassembly");
    }

    [GeneratedRegex(@"Device \((\w{1,4})\)")]
    private static partial Regex DeviceLine();

    [GeneratedRegex(@"^\s*(WordBusNumber|WordIO|IO|FixedIO|DWordMemory|QWordMemory|Memory32Fixed|Interrupt|IRQNoFlags|IRQ) \(")]
    private static partial Regex DescriptorStart();

    [GeneratedRegex(@"^\s*0x([0-9A-F]+),?\s*// (.+)$")]
    private static partial Regex ValueLine();

    [GeneratedRegex(@"^\s*\{(\d+)\}\s*$")]
    private static partial Regex IrqList();

    [GeneratedRegex(@"Package \(0x04\)\s*\{\s*(0x[0-9A-F]+|Zero|One),\s*(0x[0-9A-F]+|Zero|One),\s*(\S+),\s*(0x[0-9A-F]+|Zero|One)\s*\}")]
    private static partial Regex PrtEntry();
}
