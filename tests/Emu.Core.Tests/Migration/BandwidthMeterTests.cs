using Emu.Core.Migration;
using Xunit;

namespace Emu.Core.Tests.Migration;

// The live migration's convergence test divides what is left by the bandwidth the
// meter reports: it must be the sending rate, not dragged down by rounds that send a
// few pages between the fixed costs of collecting the dirty log.
public sealed class BandwidthMeterTests
{
    [Fact]
    public void Nothing_sent_yet_means_no_estimate_and_an_unbounded_time_for_anything_left()
    {
        var meter = new BandwidthMeter();
        Assert.Equal(0, meter.BytesPerSecond);
        Assert.Equal(long.MaxValue, meter.MillisecondsFor(4096));
        Assert.Equal(0, meter.MillisecondsFor(0));
    }

    [Fact]
    public void Before_the_first_window_fills_the_estimate_is_the_rate_so_far()
    {
        var meter = new BandwidthMeter();
        meter.Record(1_000_000, 0.02);
        Assert.Equal(50_000_000, meter.BytesPerSecond, 3);
        Assert.Equal(20, meter.MillisecondsFor(1_000_000));
    }

    [Fact]
    public void A_small_late_round_does_not_replace_the_bandwidth_of_the_bulk_pass()
    {
        var meter = new BandwidthMeter();
        meter.Record(50_000_000, 1.0); // the first pass over RAM: 50 MB/s
        // A round that sent 3 pages quickly; the seconds the dirty-log ioctls took are not sending time.
        meter.Record(3 * 4109, 0.0005);
        Assert.Equal(50_000_000, meter.BytesPerSecond, 3);
        // 2 MiB left: about 42 ms at 50 MB/s, well within QEMU's default 300 ms.
        Assert.Equal(42, meter.MillisecondsFor(2 << 20));
    }

    [Fact]
    public void Short_rounds_add_up_to_a_window_whose_rate_becomes_the_estimate()
    {
        var meter = new BandwidthMeter();
        meter.Record(100_000_000, 1.0);
        for (int i = 0; i < 12; i++)
            meter.Record(200_000, 0.01); // 20 MB/s, 10 ms at a time (the link got slower): a window fills after 100 ms
        Assert.Equal(20_000_000, meter.BytesPerSecond, 3);
    }

    [Fact]
    public void Rounds_that_sent_nothing_or_took_no_time_change_nothing()
    {
        var meter = new BandwidthMeter();
        meter.Record(30_000_000, 0.5);
        meter.Record(0, 2.0);
        meter.Record(4096, 0);
        meter.Record(4096, double.NaN);
        Assert.Equal(60_000_000, meter.BytesPerSecond, 3);
    }
}
