using Emu.Accel.Kvm;
using Emu.Core.Cpu;
using Emu.Lab;

namespace Emu.Accel.Tests;

/// <summary>
/// A vCPU reset puts back what KVM created: registers, MSRs, the local APIC.
/// A reboot depends on it (a guest's syscall MSRs, paravirtual clock and
/// APIC setup must not leak into the next boot).
/// </summary>
public sealed class KvmVcpuResetTests
{
    private const uint Star = 0xC000_0081, Lstar = 0xC000_0082;

    [KvmFact]
    public void ResetToInitialStateRestoresRegistersMsrsAndTheLocalApic()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using IVirtualMachine vm = kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true });
        using IVcpu vcpu = vm.CreateVcpu(0);
        vcpu.ResetToInitialState(); // records the creation state
        X86Registers initialRegisters = vcpu.GetRegisters();
        X86SpecialRegisters initialSpecial = vcpu.GetSpecialRegisters();
        Span<X86Msr> initialMsrs = stackalloc X86Msr[] { new(Star, 0), new(Lstar, 0) };
        Assert.Equal(2, vcpu.GetMsrs(initialMsrs));
        vcpu.GetLocalApic(out X86LocalApic initialApic);

        // What a running guest leaves behind.
        vcpu.SetRegisters(new X86Registers { Rip = 0x1234, Rax = 0xDEAD, Rflags = 0x202 });
        X86SpecialRegisters s = initialSpecial;
        s.Cs.Base = 0x5000;
        s.Cs.Selector = 0x500;
        vcpu.SetSpecialRegisters(s);
        Assert.Equal(2, vcpu.SetMsrs(new X86Msr[] { new(Star, 0x0023_0010_0000_0000), new(Lstar, 0xFFFF_FFFF_8100_0000) }));
        X86LocalApic apic = initialApic;
        apic.Write(X86LocalApic.LvtLint0, X86LocalApic.DeliveryExtInt);
        vcpu.SetLocalApic(apic);
        vcpu.GetLocalApic(out X86LocalApic changed);
        Assert.Equal(X86LocalApic.DeliveryExtInt, changed.Read(X86LocalApic.LvtLint0) & 0x1_0700);

        vcpu.ResetToInitialState();

        X86Registers r = vcpu.GetRegisters();
        Assert.Equal(initialRegisters.Rip, r.Rip);
        Assert.Equal(initialRegisters.Rax, r.Rax);
        Assert.Equal(initialRegisters.Rflags, r.Rflags);
        X86SpecialRegisters after = vcpu.GetSpecialRegisters();
        Assert.Equal(initialSpecial.Cs.Base, after.Cs.Base);
        Assert.Equal(initialSpecial.Cs.Selector, after.Cs.Selector);
        Assert.Equal(initialSpecial.ApicBase, after.ApicBase);
        Span<X86Msr> msrs = stackalloc X86Msr[] { new(Star, 1), new(Lstar, 1) };
        Assert.Equal(2, vcpu.GetMsrs(msrs));
        Assert.Equal(initialMsrs[0].Value, msrs[0].Value);
        Assert.Equal(initialMsrs[1].Value, msrs[1].Value);
        vcpu.GetLocalApic(out X86LocalApic reset);
        Assert.Equal(initialApic.Read(X86LocalApic.LvtLint0), reset.Read(X86LocalApic.LvtLint0));
        Assert.Equal(initialApic.Read(X86LocalApic.IdRegister), reset.Read(X86LocalApic.IdRegister));
    }

    [KvmFact]
    public void EachVcpuKeepsItsOwnApicIdAcrossResets()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using IVirtualMachine vm = kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true, CpuCount = 2 });
        using IVcpu bsp = vm.CreateVcpu(0);
        using IVcpu ap = vm.CreateVcpu(1);
        bsp.ResetToInitialState();
        ap.ResetToInitialState();
        ap.ResetToInitialState();
        bsp.GetLocalApic(out X86LocalApic bspApic);
        ap.GetLocalApic(out X86LocalApic apApic);
        // xAPIC ID in bits 31:24.
        Assert.Equal(0u, bspApic.Read(X86LocalApic.IdRegister) >> 24);
        Assert.Equal(1u, apApic.Read(X86LocalApic.IdRegister) >> 24);
        // IA32_APIC_BASE bit 8 marks the bootstrap processor.
        Assert.NotEqual(0UL, bsp.GetSpecialRegisters().ApicBase & 0x100);
        Assert.Equal(0UL, ap.GetSpecialRegisters().ApicBase & 0x100);
    }

    [KvmFact]
    public void MsrAccessStopsAtTheFirstUnknownMsr()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using IVirtualMachine vm = kvm.CreateVirtualMachine(new VirtualMachineOptions());
        using IVcpu vcpu = vm.CreateVcpu(0);
        Span<X86Msr> msrs = stackalloc X86Msr[] { new(Star, 0), new(0x4000_FFFF, 0), new(Lstar, 0) };
        Assert.Equal(1, vcpu.GetMsrs(msrs));
        Assert.Equal(1, vcpu.SetMsrs(new X86Msr[] { new(Lstar, 0x1000), new(0x4000_FFFF, 1) }));
        Span<X86Msr> lstar = stackalloc X86Msr[] { new(Lstar, 0) };
        Assert.Equal(1, vcpu.GetMsrs(lstar));
        Assert.Equal(0x1000UL, lstar[0].Value);
    }
}
