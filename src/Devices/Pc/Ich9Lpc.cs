using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Devices.Pc;

/// <summary>
/// The ICH9 LPC bridge at 00:1f.0 (8086:2918): on this machine it hosts the
/// ACPI power-management block. Firmware writes PMBASE (config 0x40, I/O,
/// 128-byte aligned) and sets ACPI_EN (bit 7 of ACPI_CNTL at 0x44); the PM
/// registers then decode at PMBASE.
/// </summary>
public sealed partial class Ich9Lpc : PciDevice
{
    public const int PmBaseRegister = 0x40;
    public const int AcpiControlRegister = 0x44;
    public const byte AcpiEnable = 0x80;
    public const ushort DefaultPmBase = 0x600;

    public static new readonly ObjectType TypeInfo = new("ICH9-LPC", PciDevice.TypeInfo, t => new Ich9Lpc(t), "ICH9 LPC bridge with ACPI power management");

    private MemoryRegion? _pmRegion;
    private ulong? _pmMappedAt;

    public Ich9Lpc(ObjectType type) : base(type)
    {
    }

    public Ich9PowerManagement? PowerManagement { get; private set; }

    /// <summary>ACPI PCI hotplug of the root bus, driven through the PM block's GPE.</summary>
    public AcpiPciHotplugController? PciHotplug { get; private set; }

    private MemoryRegion? _hotplugRegion;

    /// <summary>Where the PM block decodes now (null while ACPI is disabled).</summary>
    public ulong? PmBase => _pmMappedAt;

    protected override void RealizePci(Machine machine)
    {
        SetIdentity(0x8086, 0x2918, 0x060100, revision: 0x02, subsystemVendor: 0x1AF4, subsystem: 0x1100);
        Config.SetByte(PciRegisters.HeaderType, PciRegisters.HeaderTypeMultifunction);
        // PMBASE: bits 15:7 are the base, bit 0 reads 1 (I/O space).
        Config.SetDword(PmBaseRegister, 1);
        Config.SetWritable(PmBaseRegister, 4, 0x0000_FF80);
        Config.SetWritable(AcpiControlRegister, 1, 0x87); // ACPI_EN and SCI IRQ select
        // PIRQ[A-D] and PIRQ[E-H] routing control: kept for the OS, routing is fixed by the DSDT.
        Config.SetWritable(0x60, 4, 0x8F8F_8F8F);
        Config.SetWritable(0x68, 4, 0x8F8F_8F8F);
        Config.SetDword(0x60, 0x8080_8080);
        Config.SetDword(0x68, 0x8080_8080);
        PowerManagement = new Ich9PowerManagement(machine, machine.IrqLine(Ich9PowerManagement.SciIrq));
        _pmRegion = MemoryRegion.CreateIo("ich9-pm", Ich9PowerManagement.Size, PowerManagement);
        PciHotplug = new AcpiPciHotplugController(machine, PowerManagement, () => Bus);
        _hotplugRegion = MemoryRegion.CreateIo("acpi-pci-hotplug", Emu.Core.Acpi.AcpiPciHotplug.RegisterBlockSize, PciHotplug);
        machine.IoPorts.Root.AddSubregion(_hotplugRegion, AcpiPciHotplugController.IoBase);
    }

    protected override void OnUnrealize()
    {
        if (_hotplugRegion != null)
            Machine!.IoPorts.Root.RemoveSubregion(_hotplugRegion);
        base.OnUnrealize();
    }

    protected override void OnWriteConfig(int offset, int length, uint value)
    {
        base.OnWriteConfig(offset, length, value);
        if (offset < AcpiControlRegister + 1 && offset + length > PmBaseRegister)
            UpdatePmMapping();
    }

    /// <summary>Programs PMBASE and enables ACPI decoding, as firmware does before handing over to an OS.</summary>
    public void EnableAcpi(ushort pmBase)
    {
        WriteConfig(PmBaseRegister, 4, pmBase);
        WriteConfig(AcpiControlRegister, 1, AcpiEnable);
    }

    private void UpdatePmMapping()
    {
        ulong? target = null;
        if ((Config.GetByte(AcpiControlRegister) & AcpiEnable) != 0)
        {
            ulong pmBase = Config.GetDword(PmBaseRegister) & 0xFF80;
            if (pmBase != 0)
                target = pmBase;
        }
        if (target == _pmMappedAt || _pmRegion == null || Bus == null)
            return;
        MemoryRegion io = Bus!.IoWindow.Parent ?? throw new InvalidOperationException("PCI I/O window is detached");
        if (_pmMappedAt != null)
            io.RemoveSubregion(_pmRegion);
        _pmMappedAt = target;
        if (target != null)
            io.AddSubregion(_pmRegion, target.Value, priority: 1);
    }

    public override void Reset()
    {
        base.Reset();
        lock (ConfigLock)
        {
            Config.SetDword(PmBaseRegister, 1);
            Config.SetByte(AcpiControlRegister, 0);
            UpdatePmMapping();
        }
        PowerManagement?.Reset();
        PciHotplug?.Reset();
    }
}
