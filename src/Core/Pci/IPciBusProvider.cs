namespace Emu.Core.Pci;

/// <summary>A device (the host bridge) that owns a PCI bus functions plug into.</summary>
public interface IPciBusProvider
{
    PciBus PciBus { get; }
}
