using Emu.Core.Machines;
using Emu.Core.Pci;

namespace Emu.Host.Qmp;

/// <summary>
/// What query-pci and "info pci" report about one PCI function, read from its
/// configuration space without side effects (no device handler runs).
/// </summary>
internal sealed record PciFunctionInfo(PciAddress Address, PciDevice Device)
{
    public ushort VendorId => Device.Config.GetWord(PciRegisters.VendorId);

    public ushort DeviceId => Device.Config.GetWord(PciRegisters.DeviceId);

    public ushort SubsystemVendorId => Device.Config.GetWord(PciRegisters.SubsystemVendorId);

    public ushort SubsystemId => Device.Config.GetWord(PciRegisters.SubsystemId);

    /// <summary>Base class and sub-class (config 0x0B and 0x0A).</summary>
    public int Class => Device.Config.GetWord(PciRegisters.ClassDevice);

    public int InterruptPin => Device.Config.GetByte(PciRegisters.InterruptPin);

    public int InterruptLine => Device.Config.GetByte(PciRegisters.InterruptLine);

    public string QdevId => Device.Id ?? "";

    /// <summary>Every function of the machine's PCI bus, in slot/function order.</summary>
    public static IReadOnlyList<PciFunctionInfo> Collect(Machine machine)
    {
        PciBus? bus = machine.DevicesOf<IPciBusProvider>().FirstOrDefault()?.PciBus;
        if (bus == null)
            return Array.Empty<PciFunctionInfo>();
        return bus.Devices.Select(d => new PciFunctionInfo(d.Address, d)).OrderBy(f => f.Address.DevFn).ToArray();
    }
}
