using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.Block;

namespace Emu.Devices.Virtio.Blk;

/// <summary>-device virtio-blk-pci,drive=ID[,serial=S]: a virtio block device on a -drive.</summary>
public sealed class VirtioBlkPci : VirtioPciDevice
{
    public static readonly LinkProperty DriveProperty = new("drive", "drive", "The -drive id of the disk");
    public static readonly StringProperty SerialProperty = new("serial", null, "Disk serial number (GET_ID, up to 20 characters)");
    public static readonly IntegerProperty QueueSizeProperty = new("queue-size", VirtioBlockDevice.DefaultQueueSize, 2, 1024, "Size of the request queue (a power of two)");

    public static new readonly ObjectType TypeInfo = new("virtio-blk-pci", VirtioPciDevice.TypeInfo, t => new VirtioBlkPci(t), "Virtio block device",
        new PropertyInfo[] { DriveProperty, SerialProperty, QueueSizeProperty }, userCreatable: true);

    private BlockDrive? _drive;

    public VirtioBlkPci(ObjectType type) : base(type)
    {
    }

    public BlockDrive? Drive => _drive;

    protected override uint PciClassCode => 0x010000; // mass storage, SCSI (as QEMU reports virtio-blk)

    protected override void OnCheckConfiguration(Machine machine)
    {
        base.OnCheckConfiguration(machine);
        ResolveDrive(machine);
        QueueSize();
    }

    protected override VirtioDevice CreateDevice(Machine machine)
    {
        ushort queueSize = QueueSize();
        _drive = ResolveDrive(machine);
        _drive.Claim(this);
        return new VirtioBlockDevice(_drive.Backend, Get(SerialProperty) ?? Id ?? Get(DriveProperty)!, queueSize);
    }

    private BlockDrive ResolveDrive(Machine machine)
    {
        string drive = Get(DriveProperty) ?? throw new MachineConfigurationException($"{Type.Name}: drive property not set (use drive=<-drive id>)");
        return machine.ResolveBackend<BlockDrive>(drive, "drive", this);
    }

    private ushort QueueSize()
    {
        long queueSize = Get(QueueSizeProperty);
        if ((queueSize & (queueSize - 1)) != 0)
            throw new MachineConfigurationException($"{Type.Name}: queue-size {queueSize} is not a power of two");
        return (ushort)queueSize;
    }

    protected override void OnUnrealize()
    {
        base.OnUnrealize();
        _drive?.Release(this);
    }
}
