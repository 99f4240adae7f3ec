namespace Emu.Devices.Virtio;

/// <summary>
/// The common configuration structure of the virtio-pci transport
/// (struct virtio_pci_common_cfg, virtio 1.2 section 4.1.4.3) apart from
/// device_status, which <see cref="VirtioDeviceLifecycle"/> owns: feature
/// negotiation, the MSI-X vector of configuration changes and the selected
/// queue's fields. Every call is made with the transport lock held
/// (<see cref="VirtioDeviceLifecycle.Lock"/>); fields the interrupt path
/// reads without it are written with <see cref="Volatile"/>.
/// </summary>
internal sealed partial class VirtioCommonConfig
{
    public const int DeviceFeatureSelect = 0x00, DeviceFeature = 0x04, DriverFeatureSelect = 0x08, DriverFeature = 0x0C,
        ConfigMsixVector = 0x10, NumQueues = 0x12, DeviceStatus = 0x14, ConfigGeneration = 0x15, QueueSelect = 0x16,
        QueueSize = 0x18, QueueMsixVector = 0x1A, QueueEnable = 0x1C, QueueNotifyOff = 0x1E, QueueDesc = 0x20,
        QueueDriver = 0x28, QueueDevice = 0x30, QueueNotifyData = 0x38, QueueReset = 0x3A;

    private readonly VirtioDevice _device;
    private readonly int _vectorCount;
    private uint _deviceFeatureSelect;
    private uint _driverFeatureSelect;
    private ushort _queueSelect;
    private int _configVector = VirtioPciDevice.NoVector;

    /// <param name="vectorCount">Entries of the function's MSI-X table (a vector beyond it reads back as NO_VECTOR).</param>
    public VirtioCommonConfig(VirtioDevice device, int vectorCount)
    {
        _device = device;
        _vectorCount = vectorCount;
    }

    /// <summary>Features offered to the driver: the device's and the transport's.</summary>
    public ulong OfferedFeatures => _device.DeviceFeatures | VirtioFeatures.Transport;

    /// <summary>What the driver wrote to driver_feature (fixed once FEATURES_OK is set).</summary>
    public ulong DriverFeatures { get; private set; }

    /// <summary>The MSI-X vector of configuration changes, or NO_VECTOR (read by the interrupt path without the lock).</summary>
    public ushort ConfigVector => (ushort)Volatile.Read(ref _configVector);

    /// <summary>
    /// Whether the driver's features may be accepted at FEATURES_OK: only
    /// what was offered, and VIRTIO_F_VERSION_1 for a modern device (3.1.1).
    /// </summary>
    public bool FeaturesAcceptable => Acceptable(DriverFeatures);

    private SplitQueue? SelectedQueue
    {
        get
        {
            IReadOnlyList<SplitQueue> queues = _device.Queues;
            return _queueSelect < queues.Count ? queues[_queueSelect] : null;
        }
    }

    /// <summary>
    /// A read of <paramref name="length"/> bytes at <paramref name="offset"/>:
    /// fields with their natural width, 64-bit fields also as two 32-bit halves
    /// (4.1.3.1); anything else reads 0.
    /// </summary>
    public ulong Read(int offset, int length, byte status, byte configGeneration)
    {
        SplitQueue? q = SelectedQueue;
        return (offset, length) switch
        {
            (DeviceFeatureSelect, 4) => _deviceFeatureSelect,
            (DeviceFeature, 4) => _deviceFeatureSelect switch
            {
                0 => (uint)OfferedFeatures,
                1 => (uint)(OfferedFeatures >> 32),
                _ => 0,
            },
            (DriverFeatureSelect, 4) => _driverFeatureSelect,
            (DriverFeature, 4) => _driverFeatureSelect switch
            {
                0 => (uint)DriverFeatures,
                1 => (uint)(DriverFeatures >> 32),
                _ => 0,
            },
            (ConfigMsixVector, 2) => ConfigVector,
            (NumQueues, 2) => (ulong)_device.QueueCount,
            (DeviceStatus, 1) => status,
            (ConfigGeneration, 1) => configGeneration,
            (QueueSelect, 2) => _queueSelect,
            (QueueSize, 2) => q?.Size ?? 0,
            (QueueMsixVector, 2) => q?.MsixVector ?? VirtioPciDevice.NoVector,
            (QueueEnable, 2) => q?.Enabled == true ? 1UL : 0,
            (QueueNotifyOff, 2) => _queueSelect,
            (QueueDesc, 8) or (QueueDesc, 4) => q?.DescriptorTable ?? 0,
            (QueueDesc + 4, 4) => (q?.DescriptorTable ?? 0) >> 32,
            (QueueDriver, 8) or (QueueDriver, 4) => q?.AvailRing ?? 0,
            (QueueDriver + 4, 4) => (q?.AvailRing ?? 0) >> 32,
            (QueueDevice, 8) or (QueueDevice, 4) => q?.UsedRing ?? 0,
            (QueueDevice + 4, 4) => (q?.UsedRing ?? 0) >> 32,
            (QueueNotifyData, 2) => _queueSelect,
            _ => 0,
        };
    }

    /// <summary>
    /// A write of any field but device_status. <paramref name="status"/> is the
    /// current device status: features are fixed once FEATURES_OK is set, and a
    /// queue's layout cannot change under a running device (such writes are ignored).
    /// </summary>
    public void Write(int offset, int length, ulong value, byte status)
    {
        bool live = (status & VirtioStatus.DriverOk) != 0;
        SplitQueue? q = SelectedQueue;
        bool layout = q != null && !live && !q.Enabled;
        switch (offset, length)
        {
            case (DeviceFeatureSelect, 4):
                _deviceFeatureSelect = (uint)value;
                break;
            case (DriverFeatureSelect, 4):
                _driverFeatureSelect = (uint)value;
                break;
            case (DriverFeature, 4):
                if ((status & VirtioStatus.FeaturesOk) != 0)
                    break;
                if (_driverFeatureSelect == 0)
                    DriverFeatures = (DriverFeatures & 0xFFFF_FFFF_0000_0000) | (uint)value;
                else if (_driverFeatureSelect == 1)
                    DriverFeatures = (DriverFeatures & 0xFFFF_FFFF) | (value << 32);
                break;
            case (ConfigMsixVector, 2):
                Volatile.Write(ref _configVector, CheckVector((ushort)value));
                break;
            case (QueueSelect, 2):
                _queueSelect = (ushort)value;
                break;
            case (QueueMsixVector, 2) when q != null:
                q.MsixVector = CheckVector((ushort)value);
                break;
            case (QueueSize, 2) when layout:
                q!.Size = (ushort)value;
                break;
            case (QueueEnable, 2) when q != null && !live:
                // Only 1 may be written (4.1.4.3.2); disabling goes through queue_reset, not offered.
                if (value == 1)
                    q.Enabled = true;
                break;
            case (QueueDesc, 8) when layout:
                q!.DescriptorTable = value;
                break;
            case (QueueDesc, 4) when layout:
                q!.DescriptorTable = (q.DescriptorTable & 0xFFFF_FFFF_0000_0000) | value;
                break;
            case (QueueDesc + 4, 4) when layout:
                q!.DescriptorTable = (q.DescriptorTable & 0xFFFF_FFFF) | (value << 32);
                break;
            case (QueueDriver, 8) when layout:
                q!.AvailRing = value;
                break;
            case (QueueDriver, 4) when layout:
                q!.AvailRing = (q.AvailRing & 0xFFFF_FFFF_0000_0000) | value;
                break;
            case (QueueDriver + 4, 4) when layout:
                q!.AvailRing = (q.AvailRing & 0xFFFF_FFFF) | (value << 32);
                break;
            case (QueueDevice, 8) when layout:
                q!.UsedRing = value;
                break;
            case (QueueDevice, 4) when layout:
                q!.UsedRing = (q.UsedRing & 0xFFFF_FFFF_0000_0000) | value;
                break;
            case (QueueDevice + 4, 4) when layout:
                q!.UsedRing = (q.UsedRing & 0xFFFF_FFFF) | (value << 32);
                break;
        }
    }

    // A vector the table does not have reads back as NO_VECTOR, telling the driver the mapping failed (4.1.5.1.2).
    private ushort CheckVector(ushort vector) => vector < _vectorCount ? vector : VirtioPciDevice.NoVector;

    /// <summary>Back to the reset values (device reset).</summary>
    public void Reset()
    {
        _deviceFeatureSelect = _driverFeatureSelect = 0;
        DriverFeatures = 0;
        _queueSelect = 0;
        Volatile.Write(ref _configVector, VirtioPciDevice.NoVector);
    }
}
