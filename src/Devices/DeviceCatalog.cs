using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Pci;
using Emu.Devices.Chardev;
using Emu.Devices.DebugExit;
using Emu.Devices.FwCfg;
using Emu.Devices.Pc;
using Emu.Devices.Serial;
using Emu.Devices.Vfio;
using Emu.Devices.Virtio;

namespace Emu.Devices;

/// <summary>Every object type this program offers: machines, devices and backends.</summary>
public static class DeviceCatalog
{
    public static TypeRegistry CreateRegistry()
    {
        var registry = new TypeRegistry();
        registry.Register(ContainerObject.TypeInfo);
        registry.Register(Machine.TypeInfo);
        registry.Register(Device.TypeInfo);
        registry.Register(PciDevice.TypeInfo);
        registry.Register(Chardev.Chardev.TypeInfo);
        Q35MachineTypes.Register(registry);
        registry.Register(Q35HostBridge.TypeInfo);
        registry.Register(Ich9Lpc.TypeInfo);
        registry.Register(IsaRtc.TypeInfo);
        registry.Register(IsaI8042.TypeInfo);
        registry.Register(FwCfgDevice.TypeInfo);
        registry.Register(IsaSerial.TypeInfo);
        registry.Register(IsaDebugExit.TypeInfo);
        registry.Register(NullChardev.TypeInfo);
        registry.Register(StdioChardev.TypeInfo);
        registry.Register(FileChardev.TypeInfo);
        registry.Register(SocketChardev.TypeInfo);
        registry.Register(VfioPciDevice.TypeInfo);
        registry.Register(IommufdBackend.TypeInfo);
        VirtioCatalog.Register(registry);
        return registry;
    }
}
