using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The controller's sections of the migration stream, in load order: the
// lines, the 8259s, the IOAPIC, the PIT (with port 0x61), then each local APIC.
public sealed partial class UserspaceInterruptController
{
    public IReadOnlyList<MigrationSection> MigrationSections()
    {
        var sections = new List<MigrationSection>
        {
            new("irq/lines", 1, new GsiLinesState(_lines)),
            new("irq/pic", 1, Pic),
            new("irq/ioapic", 1, IoApic),
            new("irq/pit", 1, Pit),
        };
        for (int i = 0; i < Bus.Capacity; i++)
        {
            if (Bus[i] is { } apic)
                sections.Add(new MigrationSection($"irq/apic/{i}", 1, apic));
        }
        return sections;
    }
}
