namespace Emu.Devices.Vfio;

/// <summary>Which of its interrupt mechanisms a passed-through function uses now; VFIO allows one at a time.</summary>
internal enum VfioIrqMode
{
    None,
    Intx,
    Msi,
    Msix,
}
