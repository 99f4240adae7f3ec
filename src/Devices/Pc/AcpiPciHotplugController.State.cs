using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The hotplug registers in the migration stream: slots announced as
// inserted and not yet read by the OS, and removals the OS has not ejected
// yet (the destination's guest ejects them there).
public sealed partial class AcpiPciHotplugController
{
    internal void Save(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteU32("hotplug.inserted", _inserted);
            state.WriteU32("hotplug.removal-requested", _removalRequested);
        }
    }

    internal void Load(StateReader state)
    {
        const uint slots = ((1u << (LastSlot + 1)) - 1) & ~((1u << FirstSlot) - 1);
        uint inserted = state.ReadU32("hotplug.inserted");
        uint removal = state.ReadU32("hotplug.removal-requested");
        if (((inserted | removal) & ~slots) != 0)
            throw new MigrationException($"{state.Section}: hotplug bits 0x{inserted:x}/0x{removal:x} name slots outside {FirstSlot}-{LastSlot}");
        lock (_lock)
        {
            _inserted = inserted;
            _removalRequested = removal;
        }
    }
}
