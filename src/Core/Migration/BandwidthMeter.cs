namespace Emu.Core.Migration;

/// <summary>
/// The bandwidth a live migration achieves, for its convergence test: bytes of
/// stream written over the time spent writing them, measured in windows of at
/// least <see cref="WindowSeconds"/> of sending (QEMU measures in 100 ms windows
/// too, BUFFER_DELAY). The time a round spends collecting the dirty log is not
/// sending and is left out: a late round that finds a few pages would otherwise
/// divide a few KiB by the fixed cost of the log ioctls, see a bandwidth near
/// zero, expect a downtime far above the limit and iterate for ever. Short
/// rounds add up into one window; the estimate is that of the last full window,
/// or of what has been sent so far before the first one fills.
/// </summary>
internal sealed class BandwidthMeter
{
    public const double WindowSeconds = 0.1;

    private long _windowBytes;
    private double _windowSeconds;
    private double _estimate;

    /// <summary>Bytes per second; 0 until anything was sent.</summary>
    public double BytesPerSecond =>
        _estimate > 0 ? _estimate : _windowSeconds > 0 ? _windowBytes / _windowSeconds : 0;

    /// <summary>Accounts <paramref name="bytes"/> written in <paramref name="seconds"/> of sending.</summary>
    public void Record(long bytes, double seconds)
    {
        if (bytes <= 0 || !(seconds > 0))
            return;
        _windowBytes += bytes;
        _windowSeconds += seconds;
        if (_windowSeconds < WindowSeconds)
            return;
        _estimate = _windowBytes / _windowSeconds;
        _windowBytes = 0;
        _windowSeconds = 0;
    }

    /// <summary>
    /// Milliseconds to send <paramref name="bytes"/> at the measured bandwidth;
    /// long.MaxValue while nothing has been measured and something is left.
    /// </summary>
    public long MillisecondsFor(long bytes)
    {
        if (bytes <= 0)
            return 0;
        double rate = BytesPerSecond;
        if (rate <= 0)
            return long.MaxValue;
        double ms = bytes / rate * 1000;
        return ms >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(ms);
    }
}
