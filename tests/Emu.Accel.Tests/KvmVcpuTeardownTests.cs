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
        for (int attempt = 0; attempt < KvmRunPageTests.ReuseAttempts; attempt++)
        {
            IVcpu vcpu = guest.Vm.CreateVcpu(1 + attempt);
            object boxed = vcpu.GetType().GetField("_run", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(vcpu)!;
            nint address = (nint)Pointer.Unbox(boxed);
            vcpu.Dispose();
            // Another thread of the test host may have mapped the freed address first: try again with a new vCPU.
            byte* reused = KvmRunPageTests.TryMapAt(address);
            if (reused == null)
                continue;
            try
            {
                vcpu.RequestExit();
                Assert.Equal(0, reused[1]);   // kvm_run.immediate_exit
                return;
            }
            finally
            {
                Core.Posix.LibC.munmap(reused, 4096);
            }
        }
        Assert.Fail($"another thread took the freed kvm_run address {KvmRunPageTests.ReuseAttempts} times in a row");
    }
}
