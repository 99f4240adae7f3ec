using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Core.Tests.Acpi;

/// <summary>Reads what acpiexec printed for evaluated objects.</summary>
internal static partial class AcpiexecOutput
{
    /// <summary>Every returned buffer, in evaluation order: "[Buffer] Length 0C = 0000: 11 00 ... // ....".</summary>
    public static IReadOnlyList<byte[]> Buffers(string output) =>
        BufferLine().Matches(output)
            .Select(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray())
            .ToList();

    /// <summary>Every "[Integer] = 0000000000000000" value, in order.</summary>
    public static IReadOnlyList<ulong> Integers(string output) =>
        IntegerLine().Matches(output).Select(m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Lines in which ACPICA reports a problem with the tables or the AML ("Firmware Warning (ACPI): ...", "ACPI Error: ...").</summary>
    public static IReadOnlyList<string> Problems(string output) =>
        output.Split('\n').Where(line => ProblemLine().IsMatch(line)).ToList();

    /// <summary>Little-endian DWORD <paramref name="index"/> of a buffer.</summary>
    public static uint DWord(byte[] buffer, int index) => BitConverter.ToUInt32(buffer, 4 * index);

    [GeneratedRegex(@"\[Buffer\] Length [0-9A-F]+ =\s+0000: ((?:[0-9A-F]{2} )+)")]
    private static partial Regex BufferLine();

    [GeneratedRegex(@"\[Integer\] = ([0-9A-F]{16})")]
    private static partial Regex IntegerLine();

    [GeneratedRegex(@"(Warning|Error|Exception)", RegexOptions.IgnoreCase)]
    private static partial Regex ProblemLine();
}
