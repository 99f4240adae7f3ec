using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Devices.Virtio.Console;

/// <summary>
/// -device virtio-serial-pci,chardev=ID: a virtio console whose single port
/// is the guest's hvc0, on a -chardev. (QEMU attaches ports with separate
/// virtconsole devices over the multiport protocol; this device has the one
/// port built in.)
/// </summary>
public sealed class VirtioSerialPci : VirtioPciDevice
{
    public static readonly LinkProperty ChardevProperty = new("chardev", "chardev", "Character backend of the console port (hvc0)");

    public static new readonly ObjectType TypeInfo = new("virtio-serial-pci", VirtioPciDevice.TypeInfo, t => new VirtioSerialPci(t), "Virtio console (hvc0) on a chardev",
        new PropertyInfo[] { ChardevProperty }, userCreatable: true);

    public VirtioSerialPci(ObjectType type) : base(type)
    {
    }

    protected override uint PciClassCode => 0x078000; // simple communication controller, other

    protected override void OnCheckConfiguration(Machine machine)
    {
        base.OnCheckConfiguration(machine);
        ResolveChardev(machine);
    }

    private Chardev.Chardev? ResolveChardev(Machine machine) =>
        Get(ChardevProperty) is { } id ? machine.ResolveBackend<Chardev.Chardev>(id, "chardev", this) : null;

    protected override VirtioDevice CreateDevice(Machine machine)
    {
        Chardev.Chardev? backend = ResolveChardev(machine);
        try
        {
            return new VirtioConsoleDevice(backend);
        }
        catch (InvalidOperationException e)
        {
            throw new MachineConfigurationException($"{Type.Name}: {e.Message}");
        }
    }
}
