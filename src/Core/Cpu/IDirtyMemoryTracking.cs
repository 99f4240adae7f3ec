using Emu.Core.Memory;

namespace Emu.Core.Cpu;

/// <summary>
/// How an accelerator tells the migration which pages of guest RAM its vCPUs
/// wrote. A round of a live migration is: <see cref="Collect"/> (the
/// accelerator's own log, if it keeps one, goes into the machine's
/// <see cref="DirtyPageLog"/>), the log's harvest, then
/// <see cref="RearmAfterHarvest"/> (the vCPUs lose the write access they were
/// given to pages now clean, so that their next write marks the page again);
/// only then are the harvested pages copied. A write that lands between the
/// harvest and the re-arming is therefore still in the copy.
/// </summary>
public interface IDirtyMemoryTracking
{
    /// <summary>Starts logging vCPU writes into <paramref name="log"/> (already started on the RAM ranges).</summary>
    void Start(DirtyPageLog log);

    /// <summary>Moves what the accelerator logged since the last call into <paramref name="log"/>.</summary>
    void Collect(DirtyPageLog log);

    /// <summary>Makes every vCPU's next write to any page mark it again; returns once they all will. Must not be called on a vCPU thread.</summary>
    void RearmAfterHarvest();

    /// <summary>Stops logging (the migration ended, or failed).</summary>
    void Stop();
}
