using Emu.Core.Migration;

namespace Emu.Core.Machines;

// A device's part in migration and snapshots. Every device says whether it
// can migrate: by default it cannot, so a device whose state nobody wrote the
// save and load for blocks a migration by name instead of losing its state.
public abstract partial class Device
{
    /// <summary>
    /// Why this device cannot be migrated now, or null when it can. A device
    /// with state overrides <see cref="SaveState"/>, <see cref="LoadState"/>
    /// and this (returning null, or a reason that depends on its configuration).
    /// </summary>
    public virtual string? MigrationBlocker => $"device {MigrationName} does not support migration";

    /// <summary>The device as a migration error names it: its id or its path, and its type.</summary>
    public string MigrationName => $"'{Id ?? CanonicalPath}' ({Type.Name})";

    /// <summary>The layout version of the device's section (fields come and go through compat properties, not this).</summary>
    public virtual uint StateVersion => 1;

    public virtual void SaveState(StateWriter state) =>
        throw new MigrationException(MigrationBlocker ?? $"device {MigrationName} has no state to save");

    public virtual void LoadState(StateReader state) =>
        throw new MigrationException(MigrationBlocker ?? $"device {MigrationName} has no state to load");

    /// <summary>
    /// After every section has been loaded: re-derive what follows from the
    /// state (mappings, interrupt routes, the device's threads), still
    /// without the guest running.
    /// </summary>
    public virtual void PostLoad()
    {
    }

    /// <summary>
    /// The guest stops (a migration's last phase, a snapshot): the device stops
    /// touching guest memory and finishes the I/O it has in flight, so that its
    /// state and guest RAM stay as saved. <see cref="ResumeActivity"/> undoes it.
    /// </summary>
    public virtual void QuiesceActivity()
    {
    }

    /// <summary>The guest runs again (after a failed or cancelled migration, or on the destination after a load).</summary>
    public virtual void ResumeActivity()
    {
    }
}
