namespace Emu.Core.Tests.Machines;

// Issue 15, item 2: nothing of a hot-unplugged device is released while a vCPU
// may still reach it through the memory map it saw before the unplug, whether
// the vCPU dispatches exits in the VMM (KVM) or reaches devices itself inside
// its run (the software CPU).
public sealed class GracePeriodTests
{
    [Fact]
    public void A_device_is_released_only_after_the_vcpu_inside_its_handler_has_left()
    {
        using var rig = new MachineRig();
        ProbePciDevice probe = rig.Plug("probe0", d => d.HoldAccesses = true);
        rig.Vcpu(0).Enqueue(new VcpuStep(MachineRig.BarOf(probe), InsideRun: false));
        Assert.True(probe.AccessEntered.Wait(MachineRig.Timeout), "the vCPU reached the handler");

        rig.Machine.RequestUnplug(probe);
        rig.WaitUntilOffTheBus(probe);
        MachineRig.Never(() => probe.Released, "released while a vCPU was inside its handler");
        probe.AccessGate.Set();
        rig.WaitUntilDeleted("probe0");

        Assert.True(probe.Released);
        Assert.False(probe.ReleasedWhileInside);
        Assert.False(probe.UsedAfterRelease);
        Assert.Null(rig.Machine.FindDevice("probe0"));
    }

    [Fact]
    public void A_vcpu_that_reaches_devices_inside_its_run_is_kicked_out_of_the_old_view_before_the_release()
    {
        using var rig = new MachineRig();
        ScriptedVcpu vcpu = rig.Vcpu(1);
        ProbePciDevice probe = rig.Plug("probe1", d => d.HoldAccesses = true);
        vcpu.Enqueue(new VcpuStep(MachineRig.BarOf(probe), InsideRun: true));
        Assert.True(probe.AccessEntered.Wait(MachineRig.Timeout), "the vCPU reached the handler");
        long runsBeforeRelease = vcpu.RunsReturned;
        // At the release, the vCPU must have come back out of the run in which it used the old view.
        probe.ReleaseCheck = () => vcpu.RunsReturned > runsBeforeRelease;

        rig.Machine.RequestUnplug(probe);
        rig.WaitUntilOffTheBus(probe);
        MachineRig.Never(() => probe.Released, "released while a vCPU was inside its handler");
        probe.AccessGate.Set();
        rig.WaitUntilDeleted("probe1");   // the vCPU keeps running guest code: only a kick brings it out

        Assert.False(probe.ReleasedWhileInside);
        Assert.True(probe.ReleaseCheckPassed, "released while the vCPU was still in the run that used the old view");
    }

    [Fact]
    public async Task Unplugs_complete_while_the_vcpus_run_guest_code_or_are_paused()
    {
        using var rig = new MachineRig();
        for (int i = 0; i < 20; i++)
        {
            ProbePciDevice probe = rig.Plug($"p{i}");
            rig.Vcpu(i % 2).Enqueue(new VcpuStep(MachineRig.BarOf(probe), InsideRun: i % 4 < 2));
            if (i == 10)
                await rig.Machine.Pause().WaitAsync(MachineRig.Timeout);
            rig.Machine.RequestUnplug(probe);
            rig.WaitUntilDeleted($"p{i}");
            Assert.False(probe.UsedAfterRelease);
        }
        await rig.Machine.Resume().WaitAsync(MachineRig.Timeout);
    }
}
