namespace Emu.Core.Objects;

/// <summary>
/// A default for one property of every object of a type (and its subtypes):
/// an accelerator default, a machine version's compat property, or a -global.
/// </summary>
/// <param name="TypeName">Type or interface the setting applies to.</param>
/// <param name="Property">Property name.</param>
/// <param name="Value">Value as text.</param>
/// <param name="Source">Where it came from, for error messages (e.g. "machine q35-1.0", "-global").</param>
public sealed record GlobalProperty(string TypeName, string Property, string Value, string Source);
