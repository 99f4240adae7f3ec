namespace Emu.Devices.Vfio;

/// <summary>
/// Which bytes of a passed-through function's configuration space the VMM
/// emulates from its shadow copy and which go to the device. Emulated: the
/// type 0 header except the registers the device must see (command, status,
/// cache line size, latency timer, BIST), so identity, BARs, the ROM BAR,
/// the capability pointer, interrupt line and pin are the VMM's (PCI Local Bus
/// 3.0, 6.1-6.2); and the MSI and MSI-X capabilities, which the VMM
/// implements on top of VFIO's interrupt eventfds. Everything else (other
/// capabilities, PCI Express extended space) reaches the device, where the
/// kernel's vfio-pci applies its own protection.
/// </summary>
internal sealed class VfioConfigMap
{
    private readonly bool[] _emulated;

    public VfioConfigMap(int size, int deviceSize)
    {
        _emulated = new bool[size];
        for (int i = 0; i < 0x40; i++)
            _emulated[i] = true;
        foreach (int passed in new[] { 0x04, 0x05, 0x06, 0x07, 0x0C, 0x0D, 0x0F })
            _emulated[passed] = false;
        // Beyond the device's config space (a conventional function behind a
        // PCI Express root): nothing to forward; the shadow's zeros say "no capability".
        for (int i = deviceSize; i < size; i++)
            _emulated[i] = true;
    }

    public void Emulate(int offset, int length)
    {
        for (int i = offset; i < offset + length && i < _emulated.Length; i++)
            _emulated[i] = true;
    }

    public bool IsEmulated(int offset) => (uint)offset >= (uint)_emulated.Length || _emulated[offset];

    /// <summary>True when every byte of [offset, +length) is emulated.</summary>
    public bool AllEmulated(int offset, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (!IsEmulated(offset + i))
                return false;
        }
        return true;
    }

    /// <summary>True when no byte of [offset, +length) is emulated.</summary>
    public bool NoneEmulated(int offset, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (IsEmulated(offset + i))
                return false;
        }
        return true;
    }
}
