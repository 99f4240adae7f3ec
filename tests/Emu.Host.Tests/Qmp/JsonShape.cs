using System.Text.Json;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// Compares two JSON values by shape, as a QMP client depends on it: the same
/// kinds (object, array, string, number, boolean, null) and the same object
/// members, recursively. Members the QAPI schema marks optional may be
/// present on one side only. Array elements are compared with the other
/// side's first element.
/// </summary>
internal static class JsonShape
{
    public static List<string> Differences(JsonElement expected, JsonElement actual, IReadOnlySet<string> optional, string path = "$")
    {
        var differences = new List<string>();
        Compare(expected, actual, optional, path, differences);
        return differences;
    }

    private static void Compare(JsonElement expected, JsonElement actual, IReadOnlySet<string> optional, string path, List<string> differences)
    {
        if (Kind(expected) != Kind(actual))
        {
            differences.Add($"{path}: {Kind(expected)} in QEMU, {Kind(actual)} in emu");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(expected.EnumerateObject().Select(m => m.Name));
                var actualNames = new HashSet<string>(actual.EnumerateObject().Select(m => m.Name));
                foreach (string name in names.Union(actualNames))
                {
                    bool inExpected = names.Contains(name), inActual = actualNames.Contains(name);
                    if (inExpected && inActual)
                        Compare(expected.GetProperty(name), actual.GetProperty(name), optional, $"{path}.{name}", differences);
                    else if (!optional.Contains(name))
                        differences.Add($"{path}.{name}: only in {(inExpected ? "QEMU" : "emu")}");
                }
                break;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() == 0 || actual.GetArrayLength() == 0)
                    break;
                JsonElement model = expected[0];
                int index = 0;
                foreach (JsonElement element in actual.EnumerateArray())
                    Compare(model, element, optional, $"{path}[{index++}]", differences);
                break;
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        _ => "object",
    };
}
