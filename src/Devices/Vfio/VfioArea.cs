namespace Emu.Devices.Vfio;

/// <summary>A byte range inside a VFIO region: [Offset, Offset + Size).</summary>
internal readonly record struct VfioArea(ulong Offset, ulong Size)
{
    public ulong End => Offset + Size;

    public bool Overlaps(VfioArea other) => Offset < other.End && other.Offset < End;
}
