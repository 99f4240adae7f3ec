using Emu.Core.Machines;
using Emu.Core.Pci;

namespace Emu.Host.Qmp.Commands;

/// <summary>The names QEMU gives the q35 buses, for device_add's "bus" and for errors.</summary>
internal static class BusNames
{
    public const string PciExpressRoot = "pcie.0";
    public const string Isa = "isa.0";

    public static string For(Device device) => device is PciDevice ? PciExpressRoot : Isa;
}
