using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Devices.Pc;

/// <summary>
/// The Q35 memory controller hub at 00:00.0 (8086:29c0) and the PCI host
/// bridge: configuration mechanism #1 at 0xCF8 and ECAM at
/// <see cref="EcamBase"/> (256 buses, 256 MiB), which PCIEXBAR (config
/// 0x60) reports as fixed and enabled.
/// </summary>
public sealed partial class Q35HostBridge : PciDevice, IPciBusProvider
{
    public const ulong EcamBase = 0xB000_0000;
    public const ulong EcamSize = 0x1000_0000;
    public const int PciExBarRegister = 0x60;

    /// <summary>
    /// Extended TSEG: firmware writes 0xFFFF to this 16-bit register and reads
    /// back how many MiB of extended TSEG (SMRAM) the chipset offers; without
    /// the feature the register is read-only 0.
    /// </summary>
    public const int ExtendedTsegRegister = 0x50;
    public const ushort ExtendedTsegQuery = 0xFFFF;

    public static readonly IntegerProperty ExtendedTsegProperty = IntegerProperty.UInt16("extended-tseg-mbytes", 16,
        "Extended TSEG size in MiB that firmware reads through config register 0x50 (0: no extended TSEG)");

    public static new readonly ObjectType TypeInfo = new("mch", PciDevice.TypeInfo, t => new Q35HostBridge(t), "Q35 host bridge (MCH)",
        new PropertyInfo[] { ExtendedTsegProperty });

    private PciBus? _bus;

    public Q35HostBridge(ObjectType type) : base(type, express: true)
    {
    }

    public PciBus PciBus => _bus ?? throw new InvalidOperationException("host bridge not created");

    public PciConfigIoHandler? ConfigIo { get; private set; }

    /// <summary>Creates the bus with its BAR windows; call before realizing any PCI function.</summary>
    public void CreateBus(Machine machine, PciWindow mmio32, PciWindow? mmio64, PciWindow io)
    {
        // BARs live in containers below everything else, so RAM and platform devices win where a guest overlaps them.
        var memory = MemoryRegion.CreateContainer("pci-memory", ulong.MaxValue);
        var ioWindow = MemoryRegion.CreateContainer("pci-io", 0x10000);
        machine.SystemMemory.Root.AddSubregion(memory, 0, priority: -1);
        machine.IoPorts.Root.AddSubregion(ioWindow, 0, priority: -1);
        _bus = new PciBus(machine.Topology, memory, ioWindow, mmio32, mmio64, io);
        ConfigIo = new PciConfigIoHandler(_bus);
        machine.IoPorts.Root.AddSubregion(MemoryRegion.CreateIo("pci-conf", 8, ConfigIo), 0xCF8);
        machine.SystemMemory.Root.AddSubregion(MemoryRegion.CreateIo("pcie-mmcfg", EcamSize, new PciEcamHandler(_bus)), EcamBase);
    }

    protected override void RealizePci(Machine machine)
    {
        SetIdentity(0x8086, 0x29C0, 0x060000, subsystemVendor: 0x1AF4, subsystem: 0x1100);
        // PCIEXBAR: base address, length 256 MiB (bits 2:1 = 0), enabled (bit 0).
        Config.SetDword(PciExBarRegister, (uint)EcamBase | 1);
        Config.SetDword(PciExBarRegister + 4, (uint)(EcamBase >> 32));
        if (Get(ExtendedTsegProperty) > 0)
        {
            Config.SetWritable(ExtendedTsegRegister, 2, 0xFFFF);
            Config.SetWord(ExtendedTsegRegister, ExtendedTsegQuery);
        }
    }

    protected override void OnWriteConfig(int offset, int length, uint value)
    {
        base.OnWriteConfig(offset, length, value);
        // A write of the query value is answered with the size in MiB.
        if (offset < ExtendedTsegRegister + 2 && offset + length > ExtendedTsegRegister
            && Get(ExtendedTsegProperty) is > 0 and long mbytes && Config.GetWord(ExtendedTsegRegister) == ExtendedTsegQuery)
            Config.SetWord(ExtendedTsegRegister, (ushort)mbytes);
    }

    public override void Reset()
    {
        base.Reset();
        if (Get(ExtendedTsegProperty) > 0)
        {
            lock (ConfigLock)
                Config.SetWord(ExtendedTsegRegister, ExtendedTsegQuery);
        }
    }
}
