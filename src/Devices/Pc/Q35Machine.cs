using Emu.Core.Acpi;
using Microsoft.Extensions.Logging;
using Emu.Devices.Irq;
using Emu.Core.Interrupts;
using Emu.Core.Boot;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;
using Emu.Devices.FwCfg;
using Emu.Devices.Serial;

namespace Emu.Devices.Pc;

/// <summary>
/// The q35 PC: RAM, firmware ROM at the reset vector or a kernel booted
/// directly, the Q35 host bridge with ECAM, the ICH9 LPC bridge (ACPI power
/// management, reset control), the CMOS clock, the 8042 keyboard controller
/// and fw_cfg. User devices are added after <see cref="Machine.Initialize"/>.
/// </summary>
public class Q35Machine : Machine
{
    public static new readonly ObjectType TypeInfo = new("q35-base", Machine.TypeInfo, null, "Standard PC (Q35 + ICH9)");

    public Q35Machine(ObjectType type) : base(type)
    {
    }

    /// <summary>The firmware image mapped at the top of 4 GiB (size a multiple of 64 KiB).</summary>
    public byte[]? Firmware { get; set; }

    /// <summary>
    /// A kernel to boot directly (-kernel, -initrd, -append) instead of
    /// firmware. The machine takes the files over: they are read again at
    /// every reset and closed when the machine is disposed.
    /// </summary>
    public KernelBootRequest? KernelBoot
    {
        get => _kernelBoot;
        set
        {
            if (_kernelBoot != null)
                throw new InvalidOperationException("the kernel to boot is already set");
            _kernelBoot = value;
            if (value != null)
            {
                Own(value.Kernel);
                if (value.Initrd != null)
                    Own(value.Initrd);
            }
        }
    }

    private KernelBootRequest? _kernelBoot;

    /// <summary>The planned direct kernel boot, once the machine is built with <see cref="KernelBoot"/>.</summary>
    public DirectKernelBoot? DirectBoot { get; private set; }

    /// <summary>The memory map a direct kernel boot reports (E820).</summary>
    public E820Map? MemoryMap { get; private set; }

    public IsaRtc? Rtc { get; private set; }

    public IsaI8042? KeyboardController { get; private set; }

    /// <summary>The ACPI tables of a direct kernel boot, built when the machine first starts (all devices are there by then).</summary>
    public AcpiTables? AcpiTables { get; private set; }

    public Q35HostBridge? HostBridge { get; private set; }

    public Ich9Lpc? Lpc { get; private set; }

    public FwCfgDevice? FwCfg { get; private set; }

    public RamBlock? MainRam { get; private set; }

    /// <summary>KVM's interrupt controllers and PIT: application processors then wait for INIT/SIPI, and lines reach the guest.</summary>
    protected override VirtualMachineOptions VmOptions => new() { InKernelIrqChip = true, CpuCount = CpuCount };

    public PciBus PciBus => HostBridge?.PciBus ?? throw new InvalidOperationException("machine not built");

    /// <summary>The MADT's xAPIC entries: APIC IDs 0-254, 0xFF being the broadcast ID.</summary>
    public override int MaxCpus => AcpiTableBuilder.MaxCpus;

    /// <summary>At most 1 TiB of RAM: a mistyped size is refused before the host is asked for the memory.</summary>
    public const ulong MaxRamSize = 1UL << 40;

    // RAM size, firmware size and the direct boot's inputs are checked (and the
    // boot planned) before the accelerator opens.
    protected override void OnCheckConfiguration()
    {
        if (KernelBoot != null && Firmware != null)
            throw new MachineConfigurationException("a kernel booted directly runs without firmware: give either a kernel or a firmware image");
        if (RamSize < 2UL << 20)
            throw new MachineConfigurationException($"Memory size {RamSize >> 10} KiB is too small: q35 needs at least 2 MiB");
        if (RamSize > MaxRamSize)
            throw new MachineConfigurationException($"Memory size {RamSize >> 30} GiB is too large: q35 supports at most {MaxRamSize >> 30} GiB");
        if (Firmware is { } image && (image.Length == 0 || image.Length % 0x10000 != 0 || (ulong)image.Length > Q35Layout.MaxFirmwareSize))
            throw new MachineConfigurationException($"firmware image of {image.Length} bytes: the size must be a non-zero multiple of 64 KiB, at most {Q35Layout.MaxFirmwareSize >> 20} MiB");
        if (KernelBoot != null)
            PlanKernelBoot(KernelBoot);
    }

    /// <summary>The PC's interrupt controllers and timers in the VMM, when the accelerator has none (the software CPU).</summary>
    public UserspaceInterruptController? UserspaceInterrupts { get; private set; }

    protected override void Build()
    {
        if (Vm.Interrupts == null)
            BuildUserspaceInterrupts();
        BuildRam();
        BuildFirmware();
        HostBridge = CreateDevice<Q35HostBridge>(Q35HostBridge.TypeInfo);
        ulong mmio64 = Q35Layout.Mmio64Start(RamSize);
        HostBridge.CreateBus(this,
            new PciWindow(Q35Layout.Mmio32Start, Q35Layout.Mmio32End - Q35Layout.Mmio32Start),
            new PciWindow(mmio64, Q35Layout.Mmio64Size),
            new PciWindow(Q35Layout.PciIoStart, (ulong)Q35Layout.PciIoEnd + 1 - Q35Layout.PciIoStart));
        AddDevice(HostBridge, "q35");
        // PCI INTx lines go where the DSDT's _PRT says they do.
        HostBridge.PciBus.IntxRouting = (slot, pin) => IrqLine(PciIntxRouting.Gsi(slot, pin));
        HostBridge.ConfigIo!.ResetControl = new ResetControlRegister(this);
        Lpc = CreateDevice<Ich9Lpc>(Ich9Lpc.TypeInfo);
        Lpc.SetText(PciDevice.AddrProperty.Name, "1f.0");
        AddDevice(Lpc, "lpc");
        FwCfg = CreateDevice<FwCfgDevice>(FwCfgDevice.TypeInfo);
        AddDevice(FwCfg, "fw_cfg");
        Rtc = CreateDevice<IsaRtc>(IsaRtc.TypeInfo);
        AddDevice(Rtc, "rtc");
        RecordMemorySizeInCmos(Rtc.Rtc!);
        KeyboardController = CreateDevice<IsaI8042>(IsaI8042.TypeInfo);
        AddDevice(KeyboardController, "i8042");
    }

    // Before any device asks for a line: the APICs, IOAPIC, 8259s and 8254 as KVM's in-kernel irqchip and PIT would be.
    private void BuildUserspaceInterrupts()
    {
        UserspaceInterrupts = Own(new UserspaceInterruptController(CpuCount, logger: LoggerFactory.CreateLogger("irq")));
        UseInterruptController(UserspaceInterrupts);
        UserspaceInterrupts.AddRegions(SystemMemory.Root, IoPorts.Root);
    }

    /// <summary>Each vCPU's local APIC, when they are the board's.</summary>
    protected override void OnVcpusCreated(IReadOnlyList<IVcpu> vcpus)
    {
        if (UserspaceInterrupts == null)
            return;
        foreach (IVcpu vcpu in vcpus)
        {
            if (vcpu is not IUserspaceApicVcpu apicVcpu)
                throw new MachineConfigurationException($"the {Vm.GetType().Name} vCPUs cannot take a local APIC of the VMM");
            UserspaceInterrupts.CreateLocalApic(apicVcpu);
        }
    }

    protected override void OnReset() => UserspaceInterrupts?.Reset();

    /// <summary>The interrupt controllers and PIT the board emulates itself (with the software CPU).</summary>
    protected override IEnumerable<Core.Migration.MigrationSection> BoardMigrationSections() =>
        UserspaceInterrupts?.MigrationSections() ?? (IEnumerable<Core.Migration.MigrationSection>)Array.Empty<Core.Migration.MigrationSection>();

    private void PlanKernelBoot(KernelBootRequest request)
    {
        MemoryMap = Q35MemoryMap.Build(RamSize);
        // The RSDP leads the ACPI blob; the tables themselves are built at the first start.
        DirectBoot = DirectKernelBoot.Prepare(request.Kernel, request.Initrd, request.CommandLine, MemoryMap, rsdp: Q35Layout.AcpiTablesAddress);
    }

    // The CMOS bytes in which a PC BIOS records the memory size (IBM PC/AT
    // layout, and the extensions SeaBIOS reads): base memory in KiB, memory
    // above 1 MiB in KiB (capped at 0xFFFF), above 16 MiB in 64 KiB units,
    // above 4 GiB in 64 KiB units (3 bytes), and the number of CPUs - 1.
    private void RecordMemorySizeInCmos(Mc146818Rtc cmos)
    {
        ulong below = Q35Layout.BelowFourGiB(RamSize);
        ulong above = RamSize - below;
        ushort baseKib = 640;
        ushort extendedKib = (ushort)Math.Min((below - (1UL << 20)) >> 10, 0xFFFF);
        ushort above16M = (ushort)Math.Min(below > (16UL << 20) ? (below - (16UL << 20)) >> 16 : 0, 0xFFFF);
        ulong above4G = above >> 16;
        cmos.SetRam(0x15, (byte)baseKib);
        cmos.SetRam(0x16, (byte)(baseKib >> 8));
        cmos.SetRam(0x17, (byte)extendedKib);
        cmos.SetRam(0x18, (byte)(extendedKib >> 8));
        cmos.SetRam(0x30, (byte)extendedKib);
        cmos.SetRam(0x31, (byte)(extendedKib >> 8));
        cmos.SetRam(0x34, (byte)above16M);
        cmos.SetRam(0x35, (byte)(above16M >> 8));
        cmos.SetRam(0x5B, (byte)above4G);
        cmos.SetRam(0x5C, (byte)(above4G >> 8));
        cmos.SetRam(0x5D, (byte)(above4G >> 16));
        cmos.SetRam(0x5F, (byte)Math.Min(CpuCount - 1, 0xFF));
    }

    private void BuildRam()
    {
        // The backend's memory, mapped before the accelerator opened; a machine
        // built without one (tests) gets private anonymous memory of its own.
        MainRam = RamBackend == null
            ? Own(new RamBlock("pc.ram", RamSize))
            : RamBackend.Block ?? throw new InvalidOperationException($"memory backend '{RamBackend.Id}' is not complete");
        ulong below = Q35Layout.BelowFourGiB(RamSize);
        MemoryRegion root = SystemMemory.Root;
        root.AddSubregion(MemoryRegion.CreateRam("ram-below-4g", MainRam, 0, below), 0);
        if (RamSize > below)
            root.AddSubregion(MemoryRegion.CreateRam("ram-above-4g", MainRam, below, RamSize - below), Q35Layout.FourGiB);
    }

    private void BuildFirmware()
    {
        byte[]? image = Firmware;
        if (image == null)
            return;
        ulong size = (ulong)image.Length;
        var rom = Own(new RamBlock("pc.bios", size));
        image.CopyTo(rom.AsSpan(0, image.Length));
        MemoryRegion root = SystemMemory.Root;
        root.AddSubregion(MemoryRegion.CreateRom("pc.bios", rom), Q35Layout.FourGiB - size, priority: 1);
        // The last 128 KiB (or all of a smaller ROM) also appears just below 1 MiB, where real-mode code expects the BIOS.
        ulong isaSize = Math.Min(size, Q35Layout.IsaBiosMaxSize);
        root.AddSubregion(MemoryRegion.CreateRom("isa-bios", rom, size - isaSize, isaSize), Q35Layout.IsaBiosEnd - isaSize, priority: 1);
    }

    /// <summary>
    /// Every vCPU goes back to the state KVM created it in (a hardware reset).
    /// The boot processor's local APIC is then put in virtual-wire mode as
    /// PC firmware leaves it (LINT0 takes the 8259's interrupts, LINT1 NMIs),
    /// and with a kernel to boot directly the boot processor also does what
    /// firmware would: it loads the kernel, initrd and boot structures again
    /// (RAM keeps the last boot's contents), hands the ACPI PM block over in
    /// ACPI mode and starts at the kernel's entry point. Application
    /// processors get the firmware's MTRR setup too and wait for the OS's
    /// INIT-SIPI-SIPI.
    /// </summary>
    public override void ResetVcpuState(IVcpu vcpu)
    {
        vcpu.ResetToInitialState();
        if (vcpu.Index == 0)
        {
            SetVirtualWireMode(vcpu);
            if (DirectBoot != null)
                EnterKernel(vcpu, DirectBoot);
        }
        else if (DirectBoot != null)
        {
            BootCpuState.SetFirmwareMsrs(vcpu);
        }
        ParkApplicationProcessor(vcpu);
    }

    private static void SetVirtualWireMode(IVcpu vcpu)
    {
        vcpu.GetLocalApic(out X86LocalApic apic);
        apic.Write(X86LocalApic.LvtLint0, X86LocalApic.DeliveryExtInt);
        apic.Write(X86LocalApic.LvtLint1, X86LocalApic.DeliveryNmi);
        vcpu.SetLocalApic(apic);
    }

    private void EnterKernel(IVcpu vcpu, DirectKernelBoot boot)
    {
        AcpiTables ??= BuildAcpiTables();
        Ram.WriteBytes(new GuestAddress(AcpiTables.GuestAddress), AcpiTables.Blob);
        boot.Load(Ram);
        Lpc!.EnableAcpi(Q35Layout.PmBase);
        Lpc.PowerManagement!.EnableSci();
        boot.Cpu.ApplyTo(vcpu);
    }

    // The tables describe the board as built: its CPUs, windows and the ISA
    // devices that exist (the serial ports come from the command line).
    private AcpiTables BuildAcpiTables()
    {
        var serials = new List<AcpiSerialPort>();
        foreach (IsaSerial serial in DevicesOf<IsaSerial>())
            serials.Add(new AcpiSerialPort((ushort)serial.Get(IsaSerial.IoBaseProperty), (int)serial.Get(IsaSerial.IrqProperty)));
        var platform = new AcpiPlatform
        {
            CpuCount = CpuCount,
            PmBase = Q35Layout.PmBase,
            SciIrq = Ich9PowerManagement.SciIrq,
            EcamBase = Q35HostBridge.EcamBase,
            EcamBusCount = (int)(Q35HostBridge.EcamSize >> 20),
            LocalApicAddress = Q35Layout.LocalApicBase,
            IoApicAddress = Q35Layout.IoApicBase,
            Mmio32 = new AcpiAddressRange(Q35Layout.Mmio32Start, Q35Layout.Mmio32End - Q35Layout.Mmio32Start),
            Mmio64 = new AcpiAddressRange(Q35Layout.Mmio64Start(RamSize), Q35Layout.Mmio64Size),
            SerialPorts = serials,
            HasCmosRtc = Rtc != null,
            HasI8042 = KeyboardController != null,
            PciHotplug = Lpc?.PciHotplug?.Describe(),
        };
        AcpiTables tables = AcpiTableBuilder.Build(platform, Q35Layout.AcpiTablesAddress);
        if ((ulong)tables.Length > Q35Layout.AcpiTablesMaxSize)
            throw new InvalidOperationException($"the ACPI tables take {tables.Length} bytes, more than the {Q35Layout.AcpiTablesMaxSize} reserved for them");
        return tables;
    }

    // Only vCPU 0 runs from the reset vector; the others wait for the OS to
    // start them with INIT-SIPI-SIPI (not every KVM puts them there by itself).
    private static void ParkApplicationProcessor(IVcpu vcpu) =>
        vcpu.SetPowerState(vcpu.Index == 0 ? VcpuPowerState.Runnable : VcpuPowerState.WaitingForStartup);

    /// <summary>User PCI devices come and go through ACPI PCI hotplug on the root bus.</summary>
    public override IHotplugController? HotplugControllerFor(Device device) =>
        AcpiPciHotplugController.Handles(device) ? Lpc?.PciHotplug : null;

    public override void PowerButton() => Lpc?.PowerManagement?.PressPowerButton();
}
