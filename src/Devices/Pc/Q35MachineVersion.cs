using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>
/// One released version of q35. <paramref name="Changes"/> are the compat
/// properties that restore this version's defaults where the next newer
/// version changed them; a version's full compat list is its own changes
/// plus those of every newer version (see <see cref="Q35MachineTypes"/>).
/// </summary>
/// <param name="Name">The machine type name, e.g. "q35-1.0".</param>
/// <param name="Changes">(type, property, value) settings that undo what the next version changed.</param>
public sealed record Q35MachineVersion(string Name, IReadOnlyList<GlobalProperty> Changes);
