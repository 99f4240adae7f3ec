using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// The soak test of issue 15: the built-in firmware on the software CPU
/// hammers a virtio-blk disk (blk-churn: reads at queue depth 8, finding the
/// disk again whenever it comes back) while QMP plugs it in and pulls it out,
/// again and again, for a minute (EMU_SOAK_SECONDS=N for longer). Every
/// unplug lands while the guest has requests in flight and notifications
/// under way. At the end the machine still runs, the guest has been served
/// across the sessions, and emu holds as many descriptors and threads as
/// after the first round, with no device worker left.
/// </summary>
public sealed partial class HotplugSoakTests(ITestOutputHelper output)
{
    private const string WorkerPrefix = "virtio-blk-pci@"; // the worker threads' names, as /proc keeps them (15 characters)

    [GeneratedRegex(@"blk-churn: session \d+ served (\d+)")]
    private static partial Regex SessionLine();

    private static int SoakSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("EMU_SOAK_SECONDS"), out int seconds) && seconds > 0 ? seconds : 60;

    [Fact]
    public async Task A_disk_the_guest_hammers_comes_and_goes_for_a_minute_and_leaves_nothing_behind()
    {
        string image = Path.Combine(Path.GetTempPath(), $"emu-soak-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(image, new byte[16 << 20]);
        using var cleanup = new FileCleanup(image);
        await using VmProcess vm = VmProcess.StartEmuWaiting(
            "-accel", "tcg", "-M", "q35", "-m", "64",
            "-fw_cfg", "name=opt/emu/mode,string=blk-churn:8:4294967295",
            "-drive", $"file={image},format=raw,if=none,id=d0");
        await using QmpTestClient client = await vm.ConnectAsync();
        var random = new Random(15);

        async Task Round()
        {
            await client.ReturnOfAsync("device_add", new { driver = "virtio-blk-pci", id = "disk0", drive = "d0", addr = "0a.0" });
            await Task.Delay(random.Next(20, 250));          // the guest finds the disk and keeps 8 reads in flight
            await client.ReturnOfAsync("device_del", new { id = "disk0" });
            await client.WaitForEventAsync("DEVICE_DELETED", TimeSpan.FromSeconds(30));
        }

        // The first round warms up what a process grows only once (thread pool, JIT, logging).
        for (int i = 0; i < 3; i++)
            await Round();
        await Task.Delay(500);
        ProcessCensus before = ProcessCensus.Of(vm.Process.Id);
        int rounds = 3;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(SoakSeconds))
        {
            await Round();
            rounds++;
        }
        await Task.Delay(500);
        ProcessCensus after = ProcessCensus.Of(vm.Process.Id);

        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        MatchCollection sessions = SessionLine().Matches(vm.SerialOutput);
        long served = sessions.Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        output.WriteLine($"{rounds} plug/unplug rounds in {clock.Elapsed.TotalSeconds:F0} s; the guest drove the disk in {sessions.Count} sessions, {served} reads completed");
        output.WriteLine($"emu after the warm-up: {before}; at the end: {after}; device workers left: {after.Named(WorkerPrefix)}");

        Assert.True(sessions.Count >= rounds / 2, $"the guest used the disk in {sessions.Count} of {rounds} rounds");
        Assert.True(served > rounds, $"{served} reads in {rounds} rounds");
        Assert.Equal(0, after.Named(WorkerPrefix));
        Assert.InRange(after.Descriptors, before.Descriptors - 2, before.Descriptors + 2);
        Assert.InRange(after.Threads, before.Threads - 4, before.Threads + 4);
        Assert.DoesNotContain("fail", vm.Stderr, StringComparison.OrdinalIgnoreCase);

        await client.ReturnOfAsync("quit");
        Assert.Equal(0, await vm.WaitForExitAsync());
    }
}
