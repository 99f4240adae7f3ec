using Emu.Core.Migration;

namespace Emu.Devices.Virtio;

// The virtio-pci function in the migration stream: the PCI function (config
// space, MSI-X table and PBA, INTx level), the device status, the common
// configuration, the ISR, the configuration generation, every queue, and the
// device's own state. The stream is hostile: every field is read and checked
// before anything is applied, and a load raises no interrupt and touches no
// guest memory. The worker of a live device starts in PostLoad.
public abstract partial class VirtioPciDevice
{
    public override string? MigrationBlocker => _device?.MigrationBlocker;

    public override void SaveState(StateWriter state)
    {
        base.SaveState(state);
        VirtioDevice device = _device!;
        lock (_lifecycle!.Lock)
        {
            _lifecycle.SaveState(state);
            _common!.SaveState(state);
            state.WriteU8("virtio.isr", _interrupts!.Isr);
            state.WriteU32("virtio.config_generation", (uint)Volatile.Read(ref _configGeneration));
            state.WriteU16("virtio.queues", (ushort)device.QueueCount);
            foreach (SplitQueue queue in device.Queues)
                queue.SaveState(state, $"virtio.q{queue.Index}.");
            device.SaveDeviceState(state);
        }
    }

    public override void LoadState(StateReader state)
    {
        VirtioDevice device = _device!;
        VirtioDeviceLifecycle lifecycle = _lifecycle!;
        // From a clean device: a worker (there is none on a fresh destination) stops, the queues forget their rings.
        lifecycle.Reset();
        base.LoadState(state);

        int vectors = _msix!.VectorCount;
        var common = VirtioCommonConfig.ReadState(state, vectors);
        byte status = lifecycle.ReadStatus(state, common.DriverFeatures);
        byte isr = state.ReadU8("virtio.isr", VirtioInterruptLine.QueueInterrupt | VirtioInterruptLine.ConfigInterrupt);
        uint generation = state.ReadU32("virtio.config_generation");
        ushort queueCount = state.ReadU16("virtio.queues");
        if (queueCount != device.QueueCount)
            throw new MigrationException($"{state.Section}: the stream has {queueCount} queues, this device has {device.QueueCount}");
        bool live = VirtioDeviceLifecycle.IsLive(status);
        var queues = new SplitQueueState[device.QueueCount];
        for (int i = 0; i < queues.Length; i++)
        {
            queues[i] = device.Queues[i].ReadState(state, $"virtio.q{i}.", vectors);
            if (live && queues[i].Enabled)
                device.Queues[i].CheckLive(queues[i], state.Section);
            else if (live && queues[i].Active)
                throw new MigrationException($"{state.Section}: queue {i} is active but not enabled");
        }

        lock (lifecycle.Lock)
        {
            _common!.Restore(common);
            for (int i = 0; i < queues.Length; i++)
                device.Queues[i].Restore(queues[i], live, common.DriverFeatures);
            if (live)
                device.RestoreFeatures(common.DriverFeatures);
            device.LoadDeviceState(state);
            _interrupts!.RestoreIsr(isr);
            Volatile.Write(ref _configGeneration, (int)generation);
            lifecycle.RestoreStatus(status);
        }
    }

    public override void PostLoad()
    {
        base.PostLoad();
        _lifecycle?.AfterLoad();
    }

    public override void QuiesceActivity() => _lifecycle?.Quiesce();

    public override void ResumeActivity() => _lifecycle?.Resume();
}
