using System.Globalization;
using System.Text;

namespace Emu.Core.Pci;

/// <summary>
/// What is on a PCI bus, for QMP (query-pci) and for an "info pci"-style text
/// listing: identity, interrupt pin and line, and each BAR's kind, size and
/// current guest address.
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

    /// <summary>Text in the manner of QEMU's "info pci".</summary>
    public static string Format(IEnumerable<PciFunctionInfo> functions)
    {
        var sb = new StringBuilder();
        IFormatProvider inv = CultureInfo.InvariantCulture;
        foreach (PciFunctionInfo f in functions)
        {
            sb.Append(inv, $"  Bus {f.Address.Bus,2}, device {f.Address.Device,3}, function {f.Address.Function}:\n");
            sb.Append(inv, $"    {f.Description}: PCI device {f.VendorId:x4}:{f.DeviceId:x4} (class {f.ClassCode:x6}, rev {f.Revision:x2})\n");
            if (f.InterruptPin != 0)
                sb.Append(inv, $"      IRQ {f.InterruptLine}, pin {(char)('A' + f.InterruptPin - 1)}.\n");
            foreach (PciBarInfo bar in f.Bars)
            {
                string kind = bar.Kind switch
                {
                    PciBarKind.Io => "I/O at",
                    PciBarKind.Memory64 => bar.Prefetchable ? "64 bit prefetchable memory at" : "64 bit memory at",
                    _ => bar.Prefetchable ? "32 bit prefetchable memory at" : "32 bit memory at",
                };
                string where = bar.Address is ulong a ? string.Format(inv, "0x{0:x8} [0x{1:x8}]", a, a + bar.Size - 1) : "(not mapped)";
                sb.Append(inv, $"      BAR{bar.Index}: {kind} {where}.\n");
            }
            if (f.Id != null)
                sb.Append(inv, $"      id \"{f.Id}\"\n");
        }
        return sb.ToString();
    }
}
