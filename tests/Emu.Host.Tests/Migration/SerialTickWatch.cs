using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Host.Tests.Migration;

/// <summary>
/// Watches the serial files of a source and a destination emu for the
/// guest's "tick N" lines and notes, on the host's clock, when each tick
/// first appeared: how long the guest's counter stood still across the move.
/// </summary>
internal sealed partial class SerialTickWatch : IAsyncDisposable
{
    private readonly Func<string>[] _consoles;
    private readonly Dictionary<long, TimeSpan> _firstSeen = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;

    public SerialTickWatch(params Func<string>[] consoles)
    {
        _consoles = consoles;
        _task = Task.Run(WatchAsync);
    }

    [GeneratedRegex(@"@L3@ tick (\d+) ")]
    private static partial Regex TickLine();

    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Poll();
            await Task.Delay(10).ConfigureAwait(false);
        }
        Poll();
    }

    private void Poll()
    {
        TimeSpan now = _clock.Elapsed;
        foreach (Func<string> console in _consoles)
        {
            foreach (Match m in TickLine().Matches(console()))
            {
                long tick = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                lock (_firstSeen)
                    _firstSeen.TryAdd(tick, now);
            }
        }
    }

    /// <summary>The watch's clock (since it began).</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>When tick <paramref name="tick"/> first appeared (since the watch began).</summary>
    public TimeSpan SeenAt(long tick)
    {
        lock (_firstSeen)
            return _firstSeen[tick];
    }

    /// <summary>Stops watching after one last look (the ticks seen stay readable); idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            _stop.Cancel();
        await _task.ConfigureAwait(false);
    }
}
