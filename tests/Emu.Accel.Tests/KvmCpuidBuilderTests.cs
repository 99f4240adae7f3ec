using Emu.Accel.Kvm;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Tests;

/// <summary>What each vCPU's CPUID says about itself and the machine, from what KVM supports.</summary>
public sealed class KvmCpuidBuilderTests
{
    private static KvmCpuidEntry2[] Supported() => new[]
    {
        new KvmCpuidEntry2 { Function = 0x1, Eax = 0x0080_0F12, Ebx = 0x0000_0800, Ecx = 0x7ED8_320B, Edx = 0x178B_FBFF },
        new KvmCpuidEntry2 { Function = 0xB, Index = 0, Flags = KvmCpuidEntry2.FlagSignificantIndex },
        new KvmCpuidEntry2 { Function = 0xB, Index = 1, Flags = KvmCpuidEntry2.FlagSignificantIndex },
    };

    [Fact]
    public void EachVcpuHasItsOwnApicIdAndTheMachinesCpuCount()
    {
        KvmCpuidEntry2[] vcpu1 = KvmCpuidBuilder.Build(Supported(), 1, 2);
        KvmCpuidEntry2 leaf1 = vcpu1.Single(e => e.Function == 1);
        Assert.Equal(1u, leaf1.Ebx >> 24); // initial APIC ID
        Assert.Equal(2u, (leaf1.Ebx >> 16) & 0xFF); // addressable logical processors
        Assert.NotEqual(0u, leaf1.Ecx & (1u << 31)); // running under a hypervisor
        KvmCpuidEntry2 cores = vcpu1.Single(e => e.Function == 0xB && e.Index == 1);
        Assert.Equal(1u, cores.Edx); // x2APIC ID
        Assert.Equal(2u, cores.Ebx); // logical processors at the core level
    }

    [Fact]
    public void TheTscDeadlineTimerIsOfferedOnlyWhenTheLocalApicEmulatesIt()
    {
        const uint tscDeadline = 1u << 24;
        Assert.Equal(0u, KvmCpuidBuilder.Build(Supported(), 0, 1).Single(e => e.Function == 1).Ecx & tscDeadline);
        Assert.Equal(tscDeadline, KvmCpuidBuilder.Build(Supported(), 0, 1, tscDeadlineTimer: true).Single(e => e.Function == 1).Ecx & tscDeadline);
    }

    [Fact]
    public void TheSupportedTableIsNotChanged()
    {
        KvmCpuidEntry2[] supported = Supported();
        KvmCpuidBuilder.Build(supported, 1, 2, tscDeadlineTimer: true);
        Assert.Equal(0x0000_0800u, supported[0].Ebx);
        Assert.Equal(0x7ED8_320Bu, supported[0].Ecx);
    }
}
