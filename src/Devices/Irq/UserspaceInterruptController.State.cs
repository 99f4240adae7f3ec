using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The controller's sections of the migration stream, in load order: the PIT
// (with port 0x61), the lines, the 8259s, the IOAPIC, then each local APIC.
// The PIT comes first because its load cancels the edge its timer had armed
// for the destination's own pre-load state: loaded after the lines and the
// chips, that stale edge could still fire between their loads and its own and
// leave IRQ 0 asserted in them against the saved state. Loading goes by
// section name, so a stream in the older order loads as well.
public sealed partial class UserspaceInterruptController
{
    public IReadOnlyList<MigrationSection> MigrationSections()
    {
        var sections = new List<MigrationSection>
        {
            new("irq/pit", 1, Pit),
            new("irq/lines", 1, new GsiLinesState(_lines)),
            new("irq/pic", 1, Pic),
            new("irq/ioapic", 1, IoApic),
        };
        for (int i = 0; i < Bus.Capacity; i++)
        {
            if (Bus[i] is { } apic)
                sections.Add(new MigrationSection($"irq/apic/{i}", 1, apic));
        }
        return sections;
    }
}
