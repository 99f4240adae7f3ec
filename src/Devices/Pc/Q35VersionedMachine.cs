using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>A concrete q35 version: the board plus that version's compat properties.</summary>
public sealed class Q35VersionedMachine : Q35Machine
{
    private readonly Q35MachineVersion _version;

    public Q35VersionedMachine(ObjectType type, Q35MachineVersion version) : base(type) => _version = version;

    public override IReadOnlyList<GlobalProperty> CompatProperties => _version.CompatProperties;
}
