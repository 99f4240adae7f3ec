using Emu.Core.Machines;

namespace Emu.Core.Tests.Machines;

// Issue 15, item 4: an unplug is one operation of the machine's life cycle:
// it never overlaps a reset of the same device, happens once however often the
// guest ejects, and a failure in it is logged instead of ending the process.
public sealed class UnplugSerializationTests
{
    [Fact]
    public async Task A_system_reset_waits_for_an_unplug_in_progress()
    {
        using var rig = new MachineRig();
        ProbePciDevice probe = rig.Plug("probe0", d => d.HoldUnrealize = true);
        rig.Machine.RequestUnplug(probe);
        Assert.True(probe.UnrealizeEntered.Wait(MachineRig.Timeout), "the removal started");

        Task reset = rig.Machine.RequestReset(byGuest: false);
        Thread.Sleep(200);
        probe.UnrealizeGate.Set();
        await reset.WaitAsync(MachineRig.Timeout);
        rig.WaitUntilDeleted("probe0");
        Assert.False(probe.ResetDuringRemoval, "the device was reset while it was being removed");
        Assert.Equal(RunState.Running, rig.Machine.State);
    }

    [Fact]
    public void A_device_ejected_twice_is_removed_once()
    {
        using var rig = new MachineRig();
        ProbePciDevice probe = rig.Plug("probe0", d => d.HoldUnrealize = true);
        rig.Machine.CompleteUnplug(probe);
        Assert.True(probe.UnrealizeEntered.Wait(MachineRig.Timeout));
        rig.Machine.CompleteUnplug(probe);   // the guest writes the eject register again
        Thread.Sleep(200);
        probe.UnrealizeGate.Set();
        rig.WaitUntilDeleted("probe0");
        Thread.Sleep(200);
        Assert.Equal(1, probe.UnrealizeCount);
        Assert.Equal(1, rig.Deleted("probe0"));
    }

    [Fact]
    public async Task An_unplug_that_fails_is_logged_and_the_machine_runs_on()
    {
        using var rig = new MachineRig();
        ProbePciDevice probe = rig.Plug("probe0", d => d.ThrowOnUnrealize = true);
        rig.Machine.RequestUnplug(probe);
        rig.WaitUntilDeleted("probe0");
        Assert.Null(rig.Machine.FindDevice("probe0"));
        Assert.Equal(RunState.Running, rig.Machine.State);
        // The machine still takes devices and requests.
        ProbePciDevice next = rig.Plug("probe1");
        await rig.Machine.Pause().WaitAsync(MachineRig.Timeout);
        rig.Machine.RequestUnplug(next);
        rig.WaitUntilDeleted("probe1");
    }
}
