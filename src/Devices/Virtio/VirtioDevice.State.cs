using Emu.Core.Migration;

namespace Emu.Devices.Virtio;

// A device's own part in migration, beyond the transport and the queues.
// Save and load run with the worker stopped and the transport lock held.
public abstract partial class VirtioDevice
{
    /// <summary>Why this device cannot migrate in its configuration, or null.</summary>
    public virtual string? MigrationBlocker => null;

    /// <summary>
    /// The worker has stopped for a migration: complete every request in
    /// flight (returning it on its queue), so the rings hold no chain the
    /// device still owns. Called with no lock held.
    /// </summary>
    public virtual void Drain()
    {
    }

    /// <summary>Writes the device's own fields (prefix "dev." by convention).</summary>
    public virtual void SaveDeviceState(StateWriter state)
    {
    }

    /// <summary>Loads and checks what <see cref="SaveDeviceState"/> wrote; after the queues (live ones are mapped).</summary>
    public virtual void LoadDeviceState(StateReader state)
    {
    }

    /// <summary>A live device's negotiated features after a load (what <see cref="Activate"/> records).</summary>
    internal void RestoreFeatures(ulong features) => NegotiatedFeatures = features;
}
