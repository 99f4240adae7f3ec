using Emu.Core.Migration;

namespace Emu.Devices.Tests.Migration;

/// <summary>Field-by-field comparison of two saves of the same sections.</summary>
internal static class StateComparison
{
    /// <summary>
    /// Fields that depend on the moment of the save (clocks that run on): the
    /// guest's TSC, how long ago a count started, how far off an expiry is,
    /// the PM timer's ticks. Everything else must come back bit for bit.
    /// </summary>
    public static bool IsTimeDependent(string field) =>
        field is "tsc" or "pm.timer-ticks" || field.EndsWith("started-ns-ago", StringComparison.Ordinal) || field.EndsWith("expires-in-ns", StringComparison.Ordinal);

    /// <summary>The differences between two saves, as "section: field" lines (empty when equal).</summary>
    public static List<string> Differences(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        var differences = new List<string>();
        foreach ((string id, byte[] payload) in expected)
        {
            if (!actual.TryGetValue(id, out byte[]? other))
            {
                differences.Add($"{id}: missing");
                continue;
            }
            var a = new StateReader(id, payload);
            var b = new StateReader(id, other);
            foreach (string field in a.FieldNames.Union(b.FieldNames))
            {
                if (IsTimeDependent(field))
                    continue;
                if (!a.Has(field) || !b.Has(field))
                {
                    differences.Add($"{id}: {field} only on one side");
                    continue;
                }
                if (!Raw(a, field).SequenceEqual(Raw(b, field)))
                    differences.Add($"{id}: {field} differs");
            }
        }
        return differences;
    }

    private static byte[] Raw(StateReader reader, string field) => reader.ReadRaw(field).ToArray();

    /// <summary>A copy of <paramref name="payload"/> with <paramref name="field"/> replaced by <paramref name="change"/>(its bytes).</summary>
    public static byte[] WithField(string section, byte[] payload, string field, Func<byte[], byte[]> change)
    {
        var reader = new StateReader(section, payload);
        var writer = new StateWriter(section);
        foreach (string name in reader.FieldNames)
        {
            StateFieldType type = reader.TypeOf(name)!.Value;
            byte[] value = reader.ReadRaw(name).ToArray();
            writer.WriteRaw(name, type, name == field ? change(value) : value);
        }
        return writer.Written.ToArray();
    }
}
