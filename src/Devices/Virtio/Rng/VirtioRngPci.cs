using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Devices.Virtio.Rng;

/// <summary>-device virtio-rng-pci: entropy from the host's random source.</summary>
public sealed class VirtioRngPci : VirtioPciDevice
{
    public static new readonly ObjectType TypeInfo = new("virtio-rng-pci", VirtioPciDevice.TypeInfo, t => new VirtioRngPci(t), "Virtio entropy device (host random source)",
        Array.Empty<PropertyInfo>(), userCreatable: true);

    public VirtioRngPci(ObjectType type) : base(type)
    {
    }

    protected override uint PciClassCode => 0x00FF00; // unclassified, as QEMU reports it

    protected override VirtioDevice CreateDevice(Machine machine) => new VirtioRngDevice();
}
