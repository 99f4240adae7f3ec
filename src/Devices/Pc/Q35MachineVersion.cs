using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>One released version of q35 and the compat properties that keep its guest-visible defaults.</summary>
public sealed record Q35MachineVersion(string Name, IReadOnlyList<GlobalProperty> CompatProperties);
