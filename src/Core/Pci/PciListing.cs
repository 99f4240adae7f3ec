namespace Emu.Core.Pci;

/// <summary>
/// What is on a PCI bus, for QMP's query-pci and the monitor's "info pci":
/// identity, interrupt pin and line, and each BAR's kind, size and current
/// guest address, read from config space without side effects.
/// </summary>
public static class PciListing
{
    public static IReadOnlyList<PciFunctionInfo> Query(PciBus bus)
    {
        var result = new List<PciFunctionInfo>();
        foreach (PciDevice d in bus.Devices)
        {
            var bars = new List<PciBarInfo>();
            for (int i = 0; i < d.Bars.Count; i++)
            {
                if (d.Bars[i] is PciBar bar)
                    bars.Add(new PciBarInfo(i, bar.Kind, bar.Prefetchable, bar.Size, bar.MappedAddress));
            }
            PciConfigSpace c = d.Config;
            result.Add(new PciFunctionInfo(d.Address, d.VendorId, d.DeviceId, d.ClassCode, c.GetByte(PciRegisters.RevisionId),
                c.GetWord(PciRegisters.SubsystemVendorId), c.GetWord(PciRegisters.SubsystemId),
                c.GetByte(PciRegisters.InterruptPin), c.GetByte(PciRegisters.InterruptLine), d.Description, d.Id, bars));
        }
        result.Sort((a, b) => a.Address.DevFn.CompareTo(b.Address.DevFn));
        return result;
    }

    /// <summary>The functions of the machine's PCI bus (none if it has no bus), in slot/function order.</summary>
    public static IReadOnlyList<PciFunctionInfo> Query(Emu.Core.Machines.Machine machine) =>
        machine.DevicesOf<IPciBusProvider>().FirstOrDefault()?.PciBus is PciBus bus ? Query(bus) : Array.Empty<PciFunctionInfo>();
}
