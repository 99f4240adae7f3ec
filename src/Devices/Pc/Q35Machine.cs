using Emu.Core.Acpi;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;
using Emu.Devices.FwCfg;

namespace Emu.Devices.Pc;

/// <summary>
/// The q35 PC: RAM, firmware ROM at the reset vector, the Q35 host bridge
/// with ECAM, the ICH9 LPC bridge (ACPI power management, reset control) and
/// fw_cfg. User devices are added after <see cref="Machine.Initialize"/>.
/// </summary>
public class Q35Machine : Machine
{
    public static new readonly ObjectType TypeInfo = new("q35-base", Machine.TypeInfo, null, "Standard PC (Q35 + ICH9)");

    private X86Registers _resetRegisters;
    private X86SpecialRegisters _resetSpecialRegisters;
    private bool _haveResetState;

    public Q35Machine(ObjectType type) : base(type)
    {
    }

    /// <summary>The firmware image mapped at the top of 4 GiB (size a multiple of 64 KiB).</summary>
    public byte[]? Firmware { get; set; }

    public Q35HostBridge? HostBridge { get; private set; }

    public Ich9Lpc? Lpc { get; private set; }

    public FwCfgDevice? FwCfg { get; private set; }

    public RamBlock? MainRam { get; private set; }

    /// <summary>KVM's interrupt controllers and PIT: application processors then wait for INIT/SIPI, and lines reach the guest.</summary>
    protected override VirtualMachineOptions VmOptions => new() { InKernelIrqChip = true, CpuCount = CpuCount };

    public PciBus PciBus => HostBridge?.PciBus ?? throw new InvalidOperationException("machine not built");

    protected override void Build()
    {
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
    }

    private void BuildRam()
    {
        if (RamSize < 2UL << 20)
            throw new MachineConfigurationException($"Memory size {RamSize >> 10} KiB is too small: q35 needs at least 2 MiB");
        MainRam = Own(new RamBlock("pc.ram", RamSize));
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
        if (size == 0 || size % 0x10000 != 0 || size > Q35Layout.MaxFirmwareSize)
            throw new MachineConfigurationException($"firmware image of {size} bytes: the size must be a non-zero multiple of 64 KiB, at most {Q35Layout.MaxFirmwareSize >> 20} MiB");
        var rom = Own(new RamBlock("pc.bios", size));
        image.CopyTo(rom.AsSpan(0, image.Length));
        MemoryRegion root = SystemMemory.Root;
        root.AddSubregion(MemoryRegion.CreateRom("pc.bios", rom), Q35Layout.FourGiB - size, priority: 1);
        // The last 128 KiB (or all of a smaller ROM) also appears just below 1 MiB, where real-mode code expects the BIOS.
        ulong isaSize = Math.Min(size, Q35Layout.IsaBiosMaxSize);
        root.AddSubregion(MemoryRegion.CreateRom("isa-bios", rom, size - isaSize, isaSize), Q35Layout.IsaBiosEnd - isaSize, priority: 1);
    }

    public override void ResetVcpuState(IVcpu vcpu)
    {
        // A new KVM vCPU is in the architectural reset state (CS:IP = F000:FFF0,
        // CS base FFFF0000). Keep that state from the first vCPU and restore it on resets.
        if (!_haveResetState)
        {
            lock (this)
            {
                if (!_haveResetState)
                {
                    _resetRegisters = vcpu.GetRegisters();
                    _resetSpecialRegisters = vcpu.GetSpecialRegisters();
                    _haveResetState = true;
                    ParkApplicationProcessor(vcpu);
                    return;
                }
            }
        }
        vcpu.SetRegisters(_resetRegisters);
        vcpu.SetSpecialRegisters(_resetSpecialRegisters);
        ParkApplicationProcessor(vcpu);
    }

    // Only vCPU 0 runs from the reset vector; the others wait for the OS to
    // start them with INIT-SIPI-SIPI (not every KVM puts them there by itself).
    private static void ParkApplicationProcessor(IVcpu vcpu) =>
        vcpu.SetPowerState(vcpu.Index == 0 ? VcpuPowerState.Runnable : VcpuPowerState.WaitingForStartup);

    public override void PowerButton() => Lpc?.PowerManagement?.PressPowerButton();
}
