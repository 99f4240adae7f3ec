using Emu.Accel.Kvm;
using Emu.Accel.Tcg;
using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices;

namespace Emu.Host.Composition;

/// <summary>
/// Every object type of this program: the devices' and machines' catalog,
/// plus what only the composition root knows of, the accelerators and the
/// objects of the vCPUs.
/// </summary>
internal static class HostCatalog
{
    /// <summary>Types that -object may create implement this interface.</summary>
    public const string UserCreatable = "user-creatable";

    public static TypeRegistry CreateRegistry()
    {
        TypeRegistry registry = DeviceCatalog.CreateRegistry();
        registry.RegisterInterface(UserCreatable, "Objects that -object and object-add may create");
        registry.Register(AccelObject.TypeInfo);
        registry.Register(KvmAccelObject.TypeInfo);
        registry.Register(TcgAccelObject.TypeInfo);
        foreach (ObjectType cpu in VcpuObject.Types)
            registry.Register(cpu);
        return registry;
    }

    public static KconfigCatalog CreateCatalog(TypeRegistry registry) => DeviceCatalog.CreateCatalog(registry);
}
