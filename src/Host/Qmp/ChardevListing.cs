using Emu.Core.Machines;
using Emu.Devices.Chardev;

namespace Emu.Host.Qmp;

/// <summary>The machine's character backends by id, for query-chardev and "info chardev".</summary>
internal static class ChardevListing
{
    public static IEnumerable<(string Label, Chardev Chardev)> Query(Machine machine) =>
        machine.Backends
            .Where(b => b.Value is Chardev)
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => (b.Key, (Chardev)b.Value));
}
