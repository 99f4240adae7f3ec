using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>A concrete q35 version: the board plus that version's compat properties.</summary>
public sealed class Q35VersionedMachine : Q35Machine
{
    private readonly IReadOnlyList<GlobalProperty> _compat;

    public Q35VersionedMachine(ObjectType type, IReadOnlyList<GlobalProperty> compat) : base(type) => _compat = compat;

    public override IReadOnlyList<GlobalProperty> CompatProperties => _compat;
}
