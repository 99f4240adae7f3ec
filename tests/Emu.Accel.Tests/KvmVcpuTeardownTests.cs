using System.Reflection;
using Emu.Accel.Kvm;
using Emu.Core.Cpu;
using Emu.Lab;

namespace Emu.Accel.Tests;

// Issue 15, item 7, on a real KVM vCPU: a kick that races the vCPU's
// teardown (the machine controller, a grace period, QMP) after kvm_run was
// unmapped must not write into whatever is mapped at that address now.
[Collection(nameof(AddressReuse))]
public sealed unsafe class KvmVcpuTeardownTests
{
    [KvmFact]
    public void A_kick_after_the_vcpu_is_disposed_does_not_write_where_its_kvm_run_page_was()
    {
        using var guest = new RealModeGuest(new byte[] { 0xF4 });
        IVcpu vcpu = guest.Vm.CreateVcpu(1);
        object boxed = vcpu.GetType().GetField("_run", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(vcpu)!;
        nint address = (nint)Pointer.Unbox(boxed);
        vcpu.Dispose();
        byte* reused = KvmRunPageTests.MapAt(address);
        try
        {
            vcpu.RequestExit();
            Assert.Equal(0, reused[1]);   // kvm_run.immediate_exit
        }
        finally
        {
            Core.Posix.LibC.munmap(reused, 4096);
        }
    }
}
