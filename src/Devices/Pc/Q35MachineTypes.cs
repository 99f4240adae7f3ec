using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>
/// The versions of the q35 machine type. "q35" names the newest; older
/// versions keep guest-visible defaults of earlier releases through compat
/// properties, so a guest installed on one sees the same hardware later.
/// </summary>
public static class Q35MachineTypes
{
    public const string Alias = "q35";

    public static readonly Q35MachineVersion[] Versions =
    {
        new("q35-1.0", Array.Empty<GlobalProperty>()),
    };

    public static string Latest => Versions[^1].Name;

    public static void Register(TypeRegistry registry)
    {
        registry.Register(Q35Machine.TypeInfo);
        foreach (Q35MachineVersion version in Versions)
        {
            registry.Register(new ObjectType(version.Name, Q35Machine.TypeInfo, t => new Q35VersionedMachine(t, version),
                $"Standard PC (Q35 + ICH9), version {version.Name[4..]}"));
        }
        registry.RegisterAlias(Alias, Latest);
    }
}
