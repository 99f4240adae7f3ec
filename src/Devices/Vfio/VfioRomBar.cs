using Emu.Core.Memory;
using Emu.Core.Pci;

namespace Emu.Devices.Vfio;

/// <summary>
/// The expansion ROM base address register at 0x30 (PCI Local Bus 3.0, 6.2.5.2):
/// bits 31:11 the address (as many as the ROM's size leaves writable), bit 0
/// the enable. The ROM is decoded only while the enable bit and the command
/// register's memory space bit are both set; it is then mapped read-only (and
/// trapped: reads are preads of the VFIO ROM region) where the guest put it.
/// An address of 0 is not decoded (an unprogrammed register).
/// </summary>
internal sealed class VfioRomBar
{
    private const uint Enable = 1;
    private readonly MemoryRegion _region;
    private ulong? _mapped;

    public VfioRomBar(VfioDevice device, VfioRegion rom, string owner)
    {
        Size = RoundUp(Math.Max(rom.Size, 2048));
        _region = MemoryRegion.CreateIo($"{owner} ROM", Size, new VfioRegionHandler(device, rom, readOnly: true));
    }

    public ulong Size { get; }

    public ulong? MappedAddress => _mapped;

    /// <summary>Writable bits of the register: the address bits the size allows, and enable.</summary>
    public uint WritableMask => (uint)~(Size - 1) & 0xFFFF_F800u | Enable;

    /// <summary>Maps or unmaps the ROM to match the register and the command register.</summary>
    public void Update(PciConfigSpace config, MemoryRegion memoryWindow)
    {
        uint register = config.GetDword(PciRegisters.RomAddress);
        bool decode = (register & Enable) != 0 && (config.GetWord(PciRegisters.Command) & PciRegisters.CommandMemory) != 0;
        ulong address = register & 0xFFFF_F800u;
        ulong? wanted = decode && address != 0 ? address : null;
        if (wanted == _mapped)
            return;
        if (_mapped != null)
            memoryWindow.RemoveSubregion(_region);
        _mapped = wanted;
        if (wanted != null)
            memoryWindow.AddSubregion(_region, wanted.Value);
    }

    public void Unmap(MemoryRegion memoryWindow)
    {
        if (_mapped != null)
            memoryWindow.RemoveSubregion(_region);
        _mapped = null;
    }

    private static ulong RoundUp(ulong size) => (size & (size - 1)) == 0 ? size : 1UL << (64 - System.Numerics.BitOperations.LeadingZeroCount(size));
}
