using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Core.Posix;

namespace Emu.Devices.Vfio;

/// <summary>
/// A passed-through BAR as the region tree sees it: a container the size of
/// the BAR holding, from the bottom up, a trapped region over the whole BAR
/// (pread/pwrite on the device fd), the mmapped areas as device RAM (KVM
/// memslots: no exits), and on top the emulated windows (the MSI-X table and
/// PBA) the VMM serves itself. The bus moves the container when the guest
/// reprograms the BAR; the memslots move with it.
/// </summary>
internal sealed class VfioBar : IDisposable
{
    private const int TrappedPriority = 0, MappedPriority = 1, EmulatedPriority = 2;

    private readonly List<VfioMappedArea> _mapped = new();

    private VfioBar(int index, PciBarKind kind, bool prefetchable, VfioRegion region, MemoryRegion container, VfioRegionHandler trapped)
    {
        Index = index;
        Kind = kind;
        Prefetchable = prefetchable;
        Region = region;
        Container = container;
        Trapped = trapped;
    }

    public int Index { get; }

    public PciBarKind Kind { get; }

    public bool Prefetchable { get; }

    public VfioRegion Region { get; }

    public MemoryRegion Container { get; }

    public VfioRegionHandler Trapped { get; }

    public IReadOnlyList<VfioMappedArea> Mapped => _mapped;

    /// <param name="emulated">Windows the VMM serves itself (offset in the BAR, size, handler, name); their pages are never mmapped.</param>
    public static VfioBar Create(VfioDevice device, int index, PciBarKind kind, bool prefetchable, VfioRegion region, string owner,
        IReadOnlyList<(VfioArea Area, IIoHandler Handler, string Name)> emulated)
    {
        var container = MemoryRegion.CreateContainer($"{owner} BAR{index}", region.Size);
        var trapped = new VfioRegionHandler(device, region);
        var bar = new VfioBar(index, kind, prefetchable, region, container, trapped);
        try
        {
            container.AddSubregion(MemoryRegion.CreateIo($"{owner} BAR{index} trapped", region.Size, trapped), 0, TrappedPriority);
            // I/O port BARs cannot be mapped into the guest on x86: always trapped.
            if (kind != PciBarKind.Io)
            {
                var holes = emulated.Select(e => e.Area).ToList();
                foreach (VfioArea area in VfioBarLayout.MappableAreas(region.MmapAreas, holes))
                {
                    MemoryMapping mapping = device.System.Map(device.Handle, region.Offset + area.Offset, area.Size, region.CanWrite, $"{owner} BAR{index}+0x{area.Offset:x}");
                    var mapped = new VfioMappedArea(mapping, area);
                    bar._mapped.Add(mapped);
                    container.AddSubregion(MemoryRegion.CreateRam($"{owner} BAR{index} mmap@0x{area.Offset:x}", mapped, deviceMemory: true), area.Offset, MappedPriority);
                }
            }
            foreach ((VfioArea area, IIoHandler handler, string name) in emulated)
                container.AddSubregion(MemoryRegion.CreateIo($"{owner} {name}", area.Size, handler), area.Offset, EmulatedPriority);
            return bar;
        }
        catch
        {
            bar.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps every mmapped area. Call only once the container is out of the address space.</summary>
    public void Dispose()
    {
        foreach (VfioMappedArea area in _mapped)
            area.Dispose();
    }
}
