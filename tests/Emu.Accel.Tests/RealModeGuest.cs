using Emu.Accel.Kvm;
using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Accel.Tests;

/// <summary>
/// A VM with 64 KiB of RAM at 0 and a 4 KiB ROM at 0x10000, and one vCPU set
/// to run real-mode code at 0x1000.
/// </summary>
internal sealed class RealModeGuest : IDisposable
{
    public RealModeGuest(byte[] code, bool irqchip = false)
    {
        Kvm = KvmAccelerator.Open();
        Vm = (KvmVirtualMachine)Kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = irqchip });
        Ram = new RamBlock("ram", 0x10000);
        Rom = new RamBlock("rom", 0x1000);
        var root = MemoryRegion.CreateContainer("system", ulong.MaxValue);
        Memory = Topology.CreateAddressSpace("memory", root);
        Memory.AddListener(Vm.MemoryListener);
        root.AddSubregion(MemoryRegion.CreateRam("ram", Ram), 0);
        root.AddSubregion(MemoryRegion.CreateRom("rom", Rom), 0x10000);
        code.CopyTo(Ram.AsSpan(0x1000, code.Length));
        Vcpu = Vm.CreateVcpu(0);
        X86SpecialRegisters s = Vcpu.GetSpecialRegisters();
        s.Cs.Base = 0;
        s.Cs.Selector = 0;
        Vcpu.SetSpecialRegisters(s);
        Vcpu.SetRegisters(new X86Registers { Rip = 0x1000, Rflags = 2 });
    }

    public KvmAccelerator Kvm { get; }

    public KvmVirtualMachine Vm { get; }

    public RamBlock Ram { get; }

    public RamBlock Rom { get; }

    public MemoryTopology Topology { get; } = new();

    public AddressSpace Memory { get; }

    public IVcpu Vcpu { get; }

    public void Dispose()
    {
        Vcpu.Dispose();
        Vm.Dispose();
        Kvm.Dispose();
        Ram.Dispose();
        Rom.Dispose();
    }
}
