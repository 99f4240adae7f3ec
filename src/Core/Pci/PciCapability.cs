namespace Emu.Core.Pci;

/// <summary>
/// A capability structure in a function's configuration space that has
/// behaviour of its own (MSI, MSI-X): it lays out its registers and masks when
/// added, hears about guest writes that touch it, and returns to its power-on
/// state on reset. A device adds it with <see cref="PciDevice.AddCapability{T}(T)"/>;
/// the same component serves emulated devices and passthrough (vfio-pci) functions.
/// All calls arrive with the function's config lock held; device threads
/// (workers raising vectors) never take that lock.
/// </summary>
public abstract partial class PciCapability
{
    /// <summary>The capability ID (PCI Code and ID Assignment Specification).</summary>
    public abstract byte Id { get; }

    /// <summary>Length in bytes, header included.</summary>
    public abstract int Length { get; }

    /// <summary>Offset in configuration space; set when the capability is added.</summary>
    public int Offset { get; private set; }

    /// <summary>The function the capability belongs to.</summary>
    public PciDevice? Device { get; private set; }

    internal void Attach(PciDevice device, int offset)
    {
        if (Device != null)
            throw new InvalidOperationException($"capability 0x{Id:x2} already belongs to {Device}");
        Device = device;
        Offset = offset;
        Install(device.Config);
    }

    /// <summary>Sets up the registers after the two header bytes, and which bits the guest may write.</summary>
    protected abstract void Install(PciConfigSpace config);

    /// <summary>
    /// The guest wrote [<paramref name="offset"/>, +<paramref name="length"/>)
    /// of configuration space (absolute offsets), overlapping this capability;
    /// the masked value is already in <paramref name="config"/>.
    /// </summary>
    protected internal abstract void ConfigWritten(PciConfigSpace config, int offset, int length);

    /// <summary>
    /// A config read overlapping this capability returned <paramref name="value"/>
    /// (the bytes of [<paramref name="offset"/>, +<paramref name="length"/>),
    /// little-endian): a capability that keeps registers outside config space,
    /// because device threads change them without the config lock (pending
    /// bits), merges them in here.
    /// </summary>
    protected internal virtual uint ComposeRead(int offset, int length, uint value) => value;

    /// <summary>Back to the power-on state (called from the function's reset).</summary>
    protected internal abstract void Reset(PciConfigSpace config);

    /// <summary>True when the access [offset, +length) touches the register at capability offset <paramref name="register"/> of <paramref name="size"/> bytes.</summary>
    protected bool Touches(int offset, int length, int register, int size) =>
        offset < Offset + register + size && offset + length > Offset + register;
}
