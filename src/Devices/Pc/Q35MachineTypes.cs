using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>
/// The versions of the q35 machine type, oldest first. "q35" names the
/// newest. An older version keeps the guest-visible defaults of its release
/// through compat properties: (type, property, value) settings applied to
/// every object of that type or its subtypes, devices or not, before -global
/// and the object's own options. A guest installed on q35-1.0 therefore sees
/// the same hardware after an upgrade, and can migrate between releases.
/// </summary>
public static class Q35MachineTypes
{
    public const string Alias = "q35";

    /// <summary>
    /// q35-2.0 gives the MCH an extended TSEG of 16 MiB, reported to firmware
    /// through the query register at config offset 0x50 (as QEMU 2.10 did);
    /// q35-1.0 has none, and the register reads 0. q35-2.0's migration stream
    /// also carries the bytes in a 16550's receive FIFO ("rx-fifo" in
    /// isa-serial's section); q35-1.0's stream keeps the layout it had without
    /// it, so a q35-1.0 VM can still move to a build that does not know the field.
    /// </summary>
    public static readonly Q35MachineVersion[] Versions =
    {
        new("q35-1.0", new[]
        {
            new GlobalProperty(Q35HostBridge.TypeInfo.Name, Q35HostBridge.ExtendedTsegProperty.Name, "0", "machine q35-1.0"),
            new GlobalProperty(Serial.IsaSerial.TypeInfo.Name, Serial.IsaSerial.MigrateReceiveFifoProperty.Name, "off", "machine q35-1.0"),
        }),
        new("q35-2.0", Array.Empty<GlobalProperty>()),
    };

    public static string Latest => Versions[^1].Name;

    /// <summary>
    /// The compat properties of <paramref name="version"/>: the changes of
    /// every newer version first, then its own, so that where two versions set
    /// the same property, the older (closer) value wins.
    /// </summary>
    public static IReadOnlyList<GlobalProperty> CompatFor(Q35MachineVersion version)
    {
        int index = Array.IndexOf(Versions, version);
        var list = new List<GlobalProperty>();
        for (int i = Versions.Length - 1; i >= index; i--)
            list.AddRange(Versions[i].Changes);
        return list;
    }

    public static void Register(TypeRegistry registry)
    {
        registry.Register(Q35Machine.TypeInfo);
        foreach (Q35MachineVersion version in Versions)
        {
            IReadOnlyList<GlobalProperty> compat = CompatFor(version);
            registry.Register(new ObjectType(version.Name, Q35Machine.TypeInfo, t => new Q35VersionedMachine(t, compat),
                $"Standard PC (Q35 + ICH9), version {version.Name[4..]}"));
        }
        registry.RegisterAlias(Alias, Latest);
    }
}
