using Emu.Core.Migration;

namespace Emu.Devices.Virtio.Blk;

// virtio-blk migrates no state of its own: the requests in flight are
// completed before the save (the driver sees them done on the source, as
// QEMU drains its block layer), and the disk is flushed so that the
// destination, which opens the same image, reads what the guest wrote.
public sealed partial class VirtioBlockDevice
{
    public override void Drain()
    {
        if (_async == null)
            return;
        _async.Submit();
        while (_async.Outstanding > 0)
        {
            if (ReapCompletions() == 0)
                Thread.Sleep(1); // the disk is still busy with them
        }
    }

    public override void SaveDeviceState(StateWriter state)
    {
        if (_freeCount != _freeSlots.Length)
            throw new MigrationException($"virtio-blk: {_freeSlots.Length - _freeCount} requests are still in flight (the device was not drained)");
        if (!_backend.ReadOnly && !_backend.Flush())
            throw new MigrationException("virtio-blk: flushing the disk failed, so the destination could miss the guest's last writes");
    }
}
