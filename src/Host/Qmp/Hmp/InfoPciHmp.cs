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
        foreach (PciFunctionInfo f in PciFunctionInfo.Collect(context.Vm.Machine))
        {
            text.Line($"  Bus {f.Address.Bus,2}, device {f.Address.Device,3}, function {f.Address.Function}:");
            string name = PciClassNames.Describe(f.Class) ?? $"Class {f.Class:x4}";
            text.Line($"    {name}: PCI device {f.VendorId:x4}:{f.DeviceId:x4}");
            text.Line($"      PCI subsystem {f.SubsystemVendorId:x4}:{f.SubsystemId:x4}");
            if (f.InterruptPin != 0)
                text.Line($"      IRQ {f.InterruptLine}, pin {(char)('A' + f.InterruptPin - 1)}");
            foreach (PciBar? bar in f.Device.Bars)
            {
                if (bar == null)
                    continue;
                string at = bar.MappedAddress is ulong a ? $"0x{a:x}" : "(not mapped)";
                string end = bar.MappedAddress is ulong b ? $" [0x{b + bar.Size - 1:x}]" : "";
                string kind = bar.Kind switch
                {
                    PciBarKind.Io => "I/O",
                    PciBarKind.Memory64 => bar.Prefetchable ? "64 bit prefetchable memory" : "64 bit memory",
                    _ => bar.Prefetchable ? "32 bit prefetchable memory" : "32 bit memory",
                };
                text.Line($"      BAR{bar.Index}: {kind} at {at}{end} (size 0x{bar.Size:x}).");
            }
            text.Line($"      id \"{f.QdevId}\"");
        }
        return Task.FromResult(text.ToString());
    }
}
