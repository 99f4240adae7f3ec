namespace Emu.Core.Migration;

/// <summary>
/// One section of the state stream: a stable identifier (the object's
/// canonical path, or e.g. "cpu/0" for a vCPU), the section version, and the
/// object whose state it is.
/// </summary>
/// <param name="Id">The section's name in the stream; the destination finds its object by it.</param>
/// <param name="Version">The layout version (raised only for changes fields cannot express).</param>
/// <param name="State">The object that saves and loads it.</param>
public sealed record MigrationSection(string Id, uint Version, IMigratable State);
