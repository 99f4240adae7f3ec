using System.Globalization;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.Net;

namespace Emu.Devices.Virtio.Net;

/// <summary>-device virtio-net-pci,netdev=ID[,mac=52:54:00:12:34:56]: a virtio NIC on a -netdev tap.</summary>
public sealed class VirtioNetPci : VirtioPciDevice
{
    public static readonly LinkProperty NetdevProperty = new("netdev", "netdev", "The -netdev id of the backend");
    public static readonly StringProperty MacProperty = new("mac", "52:54:00:12:34:56", "MAC address");

    public static new readonly ObjectType TypeInfo = new("virtio-net-pci", VirtioPciDevice.TypeInfo, t => new VirtioNetPci(t), "Virtio network device",
        new PropertyInfo[] { NetdevProperty, MacProperty }, userCreatable: true);

    private TapNetdev? _netdev;

    public VirtioNetPci(ObjectType type) : base(type)
    {
    }

    protected override uint PciClassCode => 0x020000; // Ethernet controller

    protected override void OnCheckConfiguration(Machine machine)
    {
        base.OnCheckConfiguration(machine);
        ParseMac(Get(MacProperty)!);
        ResolveNetdev(machine);
    }

    protected override VirtioDevice CreateDevice(Machine machine)
    {
        byte[] mac = ParseMac(Get(MacProperty)!);
        _netdev = ResolveNetdev(machine);
        _netdev.Claim(this);
        return new VirtioNetDevice(_netdev.Tap, mac);
    }

    private TapNetdev ResolveNetdev(Machine machine)
    {
        string netdev = Get(NetdevProperty) ?? throw new MachineConfigurationException($"{Type.Name}: netdev property not set (use netdev=<-netdev id>)");
        return machine.ResolveBackend<TapNetdev>(netdev, "netdev", this);
    }

    private byte[] ParseMac(string text)
    {
        string[] parts = text.Split(':');
        var mac = new byte[6];
        if (parts.Length != 6)
            throw new MachineConfigurationException($"{Type.Name}: invalid mac '{text}' (expected 6 hex bytes like 52:54:00:12:34:56)");
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
                throw new MachineConfigurationException($"{Type.Name}: invalid mac '{text}' (expected 6 hex bytes like 52:54:00:12:34:56)");
        }
        return mac;
    }

    protected override void OnUnrealize()
    {
        base.OnUnrealize();
        _netdev?.Release(this);
    }
}
