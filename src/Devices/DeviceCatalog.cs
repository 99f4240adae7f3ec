using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Memory.Backends;
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

/// <summary>
/// Every object type this program offers (machines, devices and backends),
/// and the Kconfig catalog (the Kconfig file next to this one) that says
/// which devices each board offers.
/// </summary>
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
        registry.Register(MemoryBackend.TypeInfo);
        registry.Register(RamMemoryBackend.TypeInfo);
        registry.Register(MemfdMemoryBackend.TypeInfo);
        registry.Register(FileMemoryBackend.TypeInfo);
        VirtioCatalog.Register(registry);
        return registry;
    }

    /// <summary>The catalog of boards and devices, checked against <paramref name="registry"/>.</summary>
    public static KconfigCatalog CreateCatalog(TypeRegistry registry)
    {
        using Stream stream = typeof(DeviceCatalog).Assembly.GetManifestResourceStream("Kconfig")
            ?? throw new InvalidOperationException("the Kconfig resource is missing from Emu.Devices");
        using var reader = new StreamReader(stream);
        KconfigCatalog catalog = KconfigCatalog.Parse(reader.ReadToEnd(), "Kconfig");
        catalog.CheckTypes(registry);
        return catalog;
    }
}
