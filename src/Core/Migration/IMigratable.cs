namespace Emu.Core.Migration;

/// <summary>
/// Something with state that moves with the VM: a device, a vCPU, an
/// interrupt controller. Saving and loading happen with the vCPUs stopped
/// (the device's own threads quiesced); a load restores the state as it was
/// saved, with no side effects towards the guest (no interrupt raised, no
/// DMA), and the object then recomputes what derives from it.
/// </summary>
public interface IMigratable
{
    /// <summary>Why the state cannot be migrated, or null when it can (checked before a migration starts).</summary>
    string? MigrationBlocker => null;

    /// <summary>Writes the state as named fields.</summary>
    void SaveState(StateWriter state);

    /// <summary>
    /// Restores the state from fields a source (perhaps another build) wrote.
    /// Every value is checked; the reader refuses fields that are left unread.
    /// </summary>
    void LoadState(StateReader state);
}
