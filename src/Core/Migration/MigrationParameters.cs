namespace Emu.Core.Migration;

/// <summary>
/// The tunables of an outgoing migration (QMP migrate-set-parameters), with
/// QEMU's defaults: 300 ms of downtime, 128 MiB/s.
/// </summary>
public sealed record MigrationParameters
{
    public const long DefaultDowntimeLimitMs = 300;

    public const long DefaultMaxBandwidth = 128L << 20;

    /// <summary>QEMU refuses downtime limits above 2000 s.</summary>
    public const long MaxDowntimeLimitMs = 2_000_000;

    /// <summary>The longest pause the live phase aims for, in milliseconds: RAM is sent again until what is left fits in it.</summary>
    public long DowntimeLimitMs { get; init; } = DefaultDowntimeLimitMs;

    /// <summary>Bytes per second the live phase may send (the stop-and-copy phase is not limited).</summary>
    public long MaxBandwidth { get; init; } = DefaultMaxBandwidth;
}
