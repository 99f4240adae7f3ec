using System.Diagnostics;

namespace Emu.Core.Migration;

/// <summary>
/// Holds a sender to a number of bytes per second: it counts what was sent in
/// the current 100 ms window and sleeps out the rest of the window once the
/// window's share is used up (QEMU's rate limiting of the migration stream).
/// </summary>
internal sealed class RateLimiter
{
    private const long WindowMs = 100;

    private readonly Func<long> _bytesPerSecond;
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _windowBytes;

    public RateLimiter(Func<long> bytesPerSecond) => _bytesPerSecond = bytesPerSecond;

    /// <summary>Accounts <paramref name="bytes"/> just sent, and waits if the window's budget is gone (unless <paramref name="cancelled"/> says to stop).</summary>
    public void Sent(long bytes, CancellationToken cancelled)
    {
        long limit = _bytesPerSecond();
        if (limit <= 0)
            return;
        _windowBytes += bytes;
        long budget = Math.Max(1, limit * WindowMs / 1000);
        if (_windowBytes < budget)
            return;
        long elapsedMs = (long)Stopwatch.GetElapsedTime(_windowStart).TotalMilliseconds;
        if (elapsedMs < WindowMs)
            cancelled.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(WindowMs - elapsedMs));
        _windowStart = Stopwatch.GetTimestamp();
        _windowBytes = 0;
    }
}
