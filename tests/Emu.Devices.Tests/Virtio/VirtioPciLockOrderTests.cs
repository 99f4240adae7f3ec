namespace Emu.Devices.Tests.Virtio;

// Issue 15, item 1: a guest must not be able to deadlock the VMM through the
// order in which the function's locks are taken. The worker is held in the
// middle of a request (a flush waiting at a gate) so that each test sets up
// the exact interleaving: a vCPU resets the device while the worker is about
// to raise INTx for the request it is finishing.
public sealed class VirtioPciLockOrderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public void A_reset_through_the_pci_cfg_window_while_the_worker_raises_intx_completes()
    {
        var disk = new GatedBlockBackend();
        var rig = new VirtioPciRig(disk);
        QueueDriver q = rig.Activate();
        rig.SubmitFlush(q, 0);
        Assert.True(disk.Entered.WaitOne(Deadline), "the worker took the request");

        // Status 0 through VIRTIO_PCI_CAP_PCI_CFG: a config cycle.
        Thread reset = VirtioPciRig.Start("vcpu0", () => rig.WriteThroughWindow(VirtioPciRig.DeviceStatusRegister, 1, 0));
        VirtioPciRig.WaitUntilBlocked(reset);      // waiting for the worker to stop
        disk.Open();                               // the worker completes the flush and raises INTx

        Assert.True(reset.Join(Deadline), "the reset and the worker deadlocked");
        Assert.Equal(0, rig.DeviceStatus);
        rig.Dispose();
        disk.Dispose();
    }

    [Fact]
    public void A_reset_through_the_bar_while_another_vcpu_reads_through_the_window_completes()
    {
        var disk = new GatedBlockBackend();
        var rig = new VirtioPciRig(disk);
        QueueDriver q = rig.Activate();
        rig.SubmitFlush(q, 0);
        Assert.True(disk.Entered.WaitOne(Deadline), "the worker took the request");

        Thread reset = VirtioPciRig.Start("vcpu0", () => rig.Write(VirtioPciRig.DeviceStatusRegister, 1, 0));
        VirtioPciRig.WaitUntilBlocked(reset);
        uint queues = 0;
        Thread reader = VirtioPciRig.Start("vcpu1", () => queues = rig.ReadThroughWindow(VirtioPciRig.Common + 0x12, 2));
        VirtioPciRig.WaitUntilBlocked(reader);
        disk.Open();

        Assert.True(reset.Join(Deadline) & reader.Join(Deadline), "the reset, the window read and the worker deadlocked");
        Assert.Equal(1u, queues);
        Assert.Equal(0, rig.DeviceStatus);
        rig.Dispose();
        disk.Dispose();
    }

    [Fact]
    public void The_worker_raises_intx_while_a_vcpu_holds_the_config_space_busy()
    {
        // A guest that keeps config cycles going (a driver polling config
        // space) must not starve the worker: INTx does not go through the config lock.
        var disk = new GatedBlockBackend();
        disk.Open();
        var rig = new VirtioPciRig(disk);
        QueueDriver q = rig.Activate();
        using var stop = new CancellationTokenSource();
        Thread poller = VirtioPciRig.Start("vcpu1", () =>
        {
            while (!stop.IsCancellationRequested)
                rig.ReadThroughWindow(VirtioPciRig.Common + 0x12, 2);
        });
        for (int i = 0; i < 8; i++)
        {
            rig.SubmitFlush(q, i);
            VirtioPciRig.WaitFor(() => q.UsedIndex == i + 1, $"request {i} completes");
        }
        Assert.Equal(1UL, rig.Read(VirtioPciRig.Isr, 1));   // the used-buffer bit, and INTx with it
        stop.Cancel();
        Assert.True(poller.Join(Deadline));
        rig.Dispose();
        disk.Dispose();
    }
}
