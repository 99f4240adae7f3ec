using Emu.Core.Migration;

namespace Emu.Devices.Virtio;

// The common configuration's own fields in the migration stream (the queues'
// fields are theirs, the device status the lifecycle's). Called with the
// transport lock held.
internal sealed partial class VirtioCommonConfig
{
    public void SaveState(StateWriter state)
    {
        state.WriteU32("virtio.device_feature_select", _deviceFeatureSelect);
        state.WriteU32("virtio.driver_feature_select", _driverFeatureSelect);
        state.WriteU64("virtio.driver_features", DriverFeatures);
        state.WriteU16("virtio.queue_select", _queueSelect);
        state.WriteU16("virtio.config_vector", ConfigVector);
    }

    /// <summary>The fields, checked: the configuration vector is NO_VECTOR or a table entry.</summary>
    public static (uint DeviceSelect, uint DriverSelect, ulong DriverFeatures, ushort QueueSelect, ushort ConfigVector) ReadState(StateReader state, int vectorCount)
    {
        (uint DeviceSelect, uint DriverSelect, ulong DriverFeatures, ushort QueueSelect, ushort ConfigVector) s = (
            state.ReadU32("virtio.device_feature_select"), state.ReadU32("virtio.driver_feature_select"),
            state.ReadU64("virtio.driver_features"), state.ReadU16("virtio.queue_select"), state.ReadU16("virtio.config_vector"));
        if (s.ConfigVector != VirtioPciDevice.NoVector && s.ConfigVector >= vectorCount)
            throw new MigrationException($"{state.Section}: configuration changes use MSI-X vector {s.ConfigVector}, the table has {vectorCount}");
        return s;
    }

    /// <summary>Whether <paramref name="driverFeatures"/> may stand with FEATURES_OK set (see <see cref="FeaturesAcceptable"/>).</summary>
    public bool Acceptable(ulong driverFeatures) =>
        (driverFeatures & ~OfferedFeatures) == 0 && (driverFeatures & VirtioFeatures.Version1) != 0;

    public void Restore((uint DeviceSelect, uint DriverSelect, ulong DriverFeatures, ushort QueueSelect, ushort ConfigVector) s)
    {
        _deviceFeatureSelect = s.DeviceSelect;
        _driverFeatureSelect = s.DriverSelect;
        DriverFeatures = s.DriverFeatures;
        _queueSelect = s.QueueSelect;
        Volatile.Write(ref _configVector, s.ConfigVector);
    }
}
