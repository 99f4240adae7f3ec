using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The LPC bridge migrates its config space (PMBASE and ACPI_CNTL among it),
// the power management block and the PCI hotplug controller; the PM block
// goes back where PMBASE says.
public sealed partial class Ich9Lpc
{
    public override string? MigrationBlocker => null;

    public override void SaveState(StateWriter state)
    {
        base.SaveState(state);
        PowerManagement!.Save(state);
        PciHotplug!.Save(state);
    }

    public override void LoadState(StateReader state)
    {
        base.LoadState(state);
        PowerManagement!.Load(state);
        PciHotplug!.Load(state);
    }

    public override void PostLoad()
    {
        base.PostLoad();
        lock (ConfigLock)
            UpdatePmMapping();
    }
}
