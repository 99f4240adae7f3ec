using Emu.Core.Cpu;
using Emu.Core.Memory;
using Emu.Lab;

namespace Emu.Accel.Tests;

/// <summary>
/// KVM's dirty page log as live migration uses it: the pages a vCPU writes
/// are reported, pages it does not touch are not, and each report starts a
/// new round (a page is reported again only when written again). KVM may
/// also report the page the vCPU executes from (level 2's does): reporting
/// too much costs a copy, reporting too little would lose a write.
/// </summary>
public sealed class KvmDirtyLogTests
{
    [KvmFact]
    public void The_pages_a_vcpu_writes_are_reported_once_per_round()
    {
        byte[] code =
        {
            0xC6, 0x06, 0x00, 0x30, 0x01, // mov byte [0x3000], 1
            0xC6, 0x06, 0x00, 0x50, 0x01, // mov byte [0x5000], 1
            0xF4,                         // hlt
        };
        using var guest = new RealModeGuest(code);
        // The second round's code, at 0x1100: one write to page 7.
        new byte[] { 0xC6, 0x06, 0x00, 0x70, 0x01, 0xF4 }.CopyTo(guest.Ram.AsSpan(0x1100, 6));
        IDirtyMemoryTracking tracking = guest.Vm.DirtyTracking;
        var log = new DirtyPageLog();
        log.Start(new[] { (0UL, 0x10000UL) });
        tracking.Start(log);
        guest.Vcpu.AttachThread();

        const ulong codePage = 1UL << 1;
        RunToHalt(guest.Vcpu);
        tracking.Collect(log);
        Assert.Equal((1UL << 3) | (1UL << 5), Pages(log) & ~codePage);
        tracking.RearmAfterHarvest();

        tracking.Collect(log);
        Assert.Equal(0UL, Pages(log) & ~codePage); // nothing written since

        guest.Vcpu.SetRegisters(new X86Registers { Rip = 0x1100, Rflags = 2 });
        RunToHalt(guest.Vcpu);
        tracking.Collect(log);
        Assert.Equal(1UL << 7, Pages(log) & ~codePage);
        Assert.Equal(1, guest.Ram.AsSpan(0x7000, 1)[0]);

        tracking.Stop();
        log.Stop();
    }

    private static ulong Pages(DirtyPageLog log)
    {
        IReadOnlyList<(ulong Start, ulong[] Bits)> taken = log.Harvest();
        Assert.Single(taken);
        return taken[0].Bits[0];
    }

    private static void RunToHalt(IVcpu vcpu)
    {
        for (int i = 0; i < 100; i++)
        {
            VcpuExit exit = vcpu.Run();
            if (exit.Reason == VcpuExitReason.Halt)
                return;
            Assert.Equal(VcpuExitReason.Interrupted, exit.Reason);
        }
        Assert.Fail("the guest did not halt");
    }
}
