using Emu.Core.Memory;

namespace Emu.Core.Migration;

/// <summary>
/// A device that writes guest RAM without the vCPUs (DMA by a passed-through
/// device) and can tell which pages: during a live migration its log is
/// merged into the migration's with every pass, so that no page it writes is
/// left stale on the destination. A source that cannot track fails
/// <see cref="StartDirtyLog"/>, which fails the migration rather than let it
/// send wrong memory.
/// </summary>
public interface IMigrationDirtyPageSource
{
    /// <summary>Begins logging (a live migration starts).</summary>
    void StartDirtyLog();

    /// <summary>Merges the pages written since the last call into <paramref name="log"/> (guest-physical addresses).</summary>
    void CollectDirty(DirtyPageLog log);

    /// <summary>Ends logging (the migration ended either way).</summary>
    void StopDirtyLog();
}
