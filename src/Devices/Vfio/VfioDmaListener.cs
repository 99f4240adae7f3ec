using Emu.Core.Memory;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// Keeps an IOMMU domain's DMA mappings equal to the guest RAM of the system
/// address space: every RAM range of the flat view is mapped read-write at its
/// guest-physical address, ROM read-only; device memory (other devices' BARs)
/// and MMIO are not DMA targets. Ranges come and go exactly as the view's diff
/// says, so an unmap always matches a map (type1v2 refuses partial unmaps).
/// A range the IOMMU cannot take (not page aligned, or refused) is logged once
/// and left out: the device's DMA there faults instead of reaching host memory.
/// </summary>
internal sealed class VfioDmaListener : IMemoryListener
{
    private const ulong PageMask = 0xFFF;

    private readonly IVfioDmaMapper _mapper;
    private readonly ILogger _logger;
    private readonly HashSet<(ulong Start, ulong Size)> _mapped = new();

    public VfioDmaListener(IVfioDmaMapper mapper, ILogger logger)
    {
        _mapper = mapper;
        _logger = logger;
    }

    /// <summary>The (IOVA, size) ranges mapped now.</summary>
    public IReadOnlyCollection<(ulong Start, ulong Size)> Mapped => _mapped;

    public static bool IsDmaTarget(in FlatRange range) =>
        (range.IsRam && !range.Region.IsDeviceMemory) || range.IsRom;

    public void RangeAdded(in FlatRange range)
    {
        if (!IsDmaTarget(range))
            return;
        if ((range.Start & PageMask) != 0 || (range.Size & PageMask) != 0 || ((ulong)range.HostAddress & PageMask) != 0)
        {
            _logger.LogWarning("vfio: guest memory {Range} is not page aligned and is not mapped for device DMA", range.ToString());
            return;
        }
        _mapper.Map(range.Start, (ulong)range.HostAddress, range.Size, writable: range.IsRam);
        _mapped.Add((range.Start, range.Size));
    }

    public void RangeRemoved(in FlatRange range)
    {
        if (!_mapped.Remove((range.Start, range.Size)))
            return;
        _mapper.Unmap(range.Start, range.Size);
    }
}
