using Emu.Core.Pci;

namespace Emu.Host.Qmp.Hmp;

/// <summary>"info pci": every PCI function with its IDs, class, interrupt pin and BARs, in QEMU's layout.</summary>
internal sealed class InfoPciHmp : HmpCommand
{
    public override string Name => "info pci";

    public override string Usage => "info pci -- show the PCI functions";

    public override Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex)
    {
        var text = new HmpText();
        foreach (PciFunctionInfo f in PciListing.Query(context.Vm.Machine))
        {
            text.Line($"  Bus {f.Address.Bus,2}, device {f.Address.Device,3}, function {f.Address.Function}:");
            int classAndSubclass = (int)(f.ClassCode >> 8);
            string name = PciClassNames.Describe(classAndSubclass) ?? $"Class {classAndSubclass:x4}";
            text.Line($"    {name}: PCI device {f.VendorId:x4}:{f.DeviceId:x4}");
            text.Line($"      PCI subsystem {f.SubsystemVendorId:x4}:{f.SubsystemId:x4}");
            if (f.InterruptPin != 0)
                text.Line($"      IRQ {f.InterruptLine}, pin {(char)('A' + f.InterruptPin - 1)}");
            foreach (PciBarInfo bar in f.Bars)
            {
                string at = bar.Address is ulong a ? $"0x{a:x}" : "(not mapped)";
                string end = bar.Address is ulong b ? $" [0x{b + bar.Size - 1:x}]" : "";
                string kind = bar.Kind switch
                {
                    PciBarKind.Io => "I/O",
                    PciBarKind.Memory64 => bar.Prefetchable ? "64 bit prefetchable memory" : "64 bit memory",
                    _ => bar.Prefetchable ? "32 bit prefetchable memory" : "32 bit memory",
                };
                text.Line($"      BAR{bar.Index}: {kind} at {at}{end} (size 0x{bar.Size:x}).");
            }
            text.Line($"      id \"{f.Id ?? ""}\"");
        }
        return Task.FromResult(text.ToString());
    }
}
