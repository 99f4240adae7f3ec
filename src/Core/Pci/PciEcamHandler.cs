using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>
/// The PCI Express enhanced configuration access mechanism (ECAM, "MMCONFIG"):
/// a memory window where offset = bus &lt;&lt; 20 | device &lt;&lt; 15 |
/// function &lt;&lt; 12 | register, giving each function its 4 KiB space.
/// </summary>
public sealed class PciEcamHandler : IIoHandler
{
    private readonly PciBus _bus;

    public PciEcamHandler(PciBus bus) => _bus = bus;

    public void Read(ulong offset, Span<byte> data)
    {
        int register = (int)(offset & 0xFFF);
        // Accesses must be naturally aligned and 1, 2 or 4 bytes (PCIe base spec 7.2.2).
        if (data.Length is not (1 or 2 or 4) || (register & (data.Length - 1)) != 0)
        {
            data.Fill(0xFF);
            return;
        }
        uint value = _bus.ReadConfig((int)(offset >> 20) & 0xFF, (int)(offset >> 12) & 0xFF, register, data.Length);
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(value >> (8 * i));
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        int register = (int)(offset & 0xFFF);
        if (data.Length is not (1 or 2 or 4) || (register & (data.Length - 1)) != 0)
            return;
        uint value = 0;
        for (int i = 0; i < data.Length; i++)
            value |= (uint)data[i] << (8 * i);
        _bus.WriteConfig((int)(offset >> 20) & 0xFF, (int)(offset >> 12) & 0xFF, register, data.Length, value);
    }
}
