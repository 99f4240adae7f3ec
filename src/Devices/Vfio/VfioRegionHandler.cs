using Emu.Core.Memory;

namespace Emu.Devices.Vfio;

/// <summary>
/// The trapped parts of a BAR (and the ROM): every guest access becomes a
/// pread or pwrite of the same width on the device fd at the region's
/// offset. Allocation-free. A failing access (the device fell off the bus,
/// or refused) reads as all ones, the way PCI reports a master abort, and
/// writes are dropped; failures are counted.
/// </summary>
internal sealed class VfioRegionHandler : IIoHandler
{
    private readonly VfioDevice _device;
    private readonly ulong _fdOffset;
    private readonly ulong _size;
    private readonly bool _readOnly;
    private long _failures;

    public VfioRegionHandler(VfioDevice device, VfioRegion region, bool readOnly = false)
    {
        _device = device;
        _fdOffset = region.Offset;
        _size = region.Size;
        _readOnly = readOnly || !region.CanWrite;
    }

    public long Failures => Interlocked.Read(ref _failures);

    public void Read(ulong offset, Span<byte> data)
    {
        if (offset >= _size || (ulong)data.Length > _size - offset || _device.System.Read(_device.Handle, data, (long)(_fdOffset + offset)) != 0)
        {
            data.Fill(0xFF);
            Interlocked.Increment(ref _failures);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (_readOnly || offset >= _size || (ulong)data.Length > _size - offset || _device.System.Write(_device.Handle, data, (long)(_fdOffset + offset)) != 0)
            Interlocked.Increment(ref _failures);
    }
}
