using System.Diagnostics;
using System.Text.Json;
using Emu.Host.Tests.Qmp;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests.Migration;

// Debian's Linux with virtio-blk, virtio-rng and a virtio console on the
// software CPU (level 1), moved between two emu processes while it counts and
// writes numbered blocks to its disk: live over a unix socket, and as a
// snapshot (stop + migrate file:, a new emu with -incoming defer +
// migrate-incoming + cont). Both processes open the same image file. The
// counter must go on without a number lost or repeated, every block must be
// in the image once the guest has synced, and the guest must finish its work
// on the destination (read back, hwrng, hvc0, poweroff -f with status 0).
public sealed class LinuxVirtioMigrationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(10);

    // What the host's view of the stopped counter may add to the downtime
    // query-migrate reports: the tick interval (0.2 s of guest time, a fork and
    // exec of sleep each), the serial files' polling, and the destination's
    // software CPU starting with no compiled code (interpreting until blocks are
    // hot) on a loaded host. Measured on a 2-core host at load 15: the first
    // destination tick 0.6 s after the migration completed when this test ran
    // alone, 2.1 s beside the other migration tests.
    private static readonly TimeSpan CounterSlack = TimeSpan.FromSeconds(4);

    [LabFact]
    public async Task Linux_with_virtio_devices_moves_live_between_two_emu_processes_over_unix()
    {
        LinuxMigrationGuest guest = LinuxMigrationGuest.Create();
        try
        {
            string sourceHvc = Path.Combine(guest.Directory, "hvc-source.log"), destinationHvc = Path.Combine(guest.Directory, "hvc-destination.log");
            await using VmProcess source = VmProcess.StartEmuWithSerialFile(guest.Arguments(sourceHvc));
            string socket = Path.Combine(source.Directory, "migrate.sock");
            await using VmProcess destination = VmProcess.StartEmuWithSerialFile(guest.Arguments(destinationHvc, "-incoming", $"unix:{socket}"));
            await using var watch = new SerialTickWatch(() => source.SerialOutput, () => destination.SerialOutput);
            await using QmpTestClient src = await source.ConnectAsync();
            await using QmpTestClient dst = await destination.ConnectAsync();
            await MigrationRun.WaitForSerialAsync(source, "@L3@ wrote 128", Boot);

            await MigrationRun.WaitForIncomingSocketAsync(destination, socket, MigrationRun.Long);
            TimeSpan migrateAt = watch.Now;
            await src.ReturnOfAsync("migrate", new { uri = $"unix:{socket}" });
            JsonElement info = await MigrationRun.WaitForStatusAsync(src, Boot, "completed", "failed");
            TimeSpan completedAt = watch.Now;
            Assert.True(info.GetProperty("status").GetString() == "completed", info.ToString());
            long total = info.GetProperty("total-time").GetInt64(), downtime = info.GetProperty("downtime").GetInt64();
            output.WriteLine($"live migration: total-time {total} ms, downtime {downtime} ms, {info.GetProperty("ram").GetProperty("dirty-sync-count").GetInt64()} dirty syncs");
            Assert.Equal("postmigrate", await MigrationRun.RunStatusAsync(src));

            Assert.Equal(0, await destination.WaitForExitAsync(Boot));
            await src.ReturnOfAsync("quit");
            await source.WaitForExitAsync(MigrationRun.Long);
            await watch.DisposeAsync();

            long lastOnSource = CheckGuest(guest, source.SerialOutput, destination.SerialOutput, destinationHvc);
            // The counter stood still from the source's stop (the migration completed `downtime`
            // ms before it was seen, or the last tick the source printed, if that came later)
            // until the destination's first tick. Before the stop the source guest runs, though
            // slowly while the last precopy round shares the host's cores: that is reported, not held to.
            TimeSpan sourceStopped = completedAt - TimeSpan.FromMilliseconds(downtime);
            TimeSpan lastTick = watch.SeenAt(lastOnSource), firstTick = watch.SeenAt(lastOnSource + 1);
            TimeSpan stood = firstTick - (lastTick > sourceStopped ? lastTick : sourceStopped);
            output.WriteLine($"timeline (ms after migrate): last source tick {(lastTick - migrateAt).TotalMilliseconds:F0}, source stopped {(sourceStopped - migrateAt).TotalMilliseconds:F0}, completed seen {(completedAt - migrateAt).TotalMilliseconds:F0}, first destination tick {(firstTick - migrateAt).TotalMilliseconds:F0}");
            output.WriteLine($"the counter stood {stood.TotalMilliseconds:F0} ms after the source stopped; {(firstTick - lastTick).TotalMilliseconds:F0} ms between tick {lastOnSource} and {lastOnSource + 1}");
            foreach (string line in Level3Output.Parse(source.SerialOutput + destination.SerialOutput).Lines.Where(l => l.StartsWith("tick ", StringComparison.Ordinal)).Take((int)lastOnSource + 3))
                output.WriteLine(line);
            Assert.True(stood <= TimeSpan.FromMilliseconds(downtime) + CounterSlack,
                $"the guest's counter stood {stood.TotalMilliseconds:F0} ms after the source stopped; query-migrate reported {downtime} ms of downtime");
            Assert.Equal("", destination.Stderr.Trim());
        }
        finally
        {
            guest.Delete();
        }
    }

    [LabFact]
    public async Task Linux_with_virtio_devices_continues_from_a_snapshot_in_a_new_emu()
    {
        LinuxMigrationGuest guest = LinuxMigrationGuest.Create();
        string snapshot = Path.Combine(guest.Directory, "snapshot");
        try
        {
            string sourceHvc = Path.Combine(guest.Directory, "hvc-source.log"), destinationHvc = Path.Combine(guest.Directory, "hvc-destination.log");
            string before;
            await using (VmProcess source = VmProcess.StartEmuWithSerialFile(guest.Arguments(sourceHvc)))
            {
                await using QmpTestClient qmp = await source.ConnectAsync();
                await MigrationRun.WaitForSerialAsync(source, "@L3@ wrote 128", Boot);
                await qmp.ReturnOfAsync("stop");
                var save = Stopwatch.StartNew();
                await qmp.ReturnOfAsync("migrate", new { uri = $"file:{snapshot}" });
                JsonElement info = await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed");
                Assert.True(info.GetProperty("status").GetString() == "completed", info.ToString());
                output.WriteLine($"snapshot save: total-time {info.GetProperty("total-time").GetInt64()} ms (seen by QMP after {save.ElapsedMilliseconds} ms), {new FileInfo(snapshot).Length >> 20} MiB");
                await qmp.ReturnOfAsync("quit");
                Assert.Equal(0, await source.WaitForExitAsync(MigrationRun.Long));
                before = source.SerialOutput;
            }

            await using VmProcess restored = VmProcess.StartEmuWithSerialFile(guest.Arguments(destinationHvc, "-S", "-incoming", "defer"));
            await using (QmpTestClient qmp = await restored.ConnectAsync())
            {
                Assert.Equal("inmigrate", await MigrationRun.RunStatusAsync(qmp));
                var restore = Stopwatch.StartNew();
                await qmp.ReturnOfAsync("migrate-incoming", new { uri = $"file:{snapshot}" });
                JsonElement info = await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed");
                Assert.True(info.GetProperty("status").GetString() == "completed", info.ToString());
                output.WriteLine($"snapshot restore: loaded after {restore.ElapsedMilliseconds} ms (QMP polling included)");
                Assert.Equal("paused", await MigrationRun.RunStatusAsync(qmp));
                await qmp.ReturnOfAsync("cont");
            }
            Assert.Equal(0, await restored.WaitForExitAsync(Boot));
            CheckGuest(guest, before, restored.SerialOutput, destinationHvc);
            Assert.Equal("", restored.Stderr.Trim());
        }
        finally
        {
            guest.Delete();
        }
    }

    // The guest's whole console across both processes; returns the last tick the source printed.
    private long CheckGuest(LinuxMigrationGuest guest, string sourceSerial, string destinationSerial, string destinationHvc)
    {
        Level3Output console = Level3Output.Parse(sourceSerial + destinationSerial);
        Level3Output before = Level3Output.Parse(sourceSerial);
        Level3Output after = Level3Output.Parse(destinationSerial);
        output.WriteLine($"source printed {before.Lines.Count} lines, destination {after.Lines.Count}");
        Assert.True(console.Completed, $"the guest did not finish on the destination:\n{destinationSerial}");
        Assert.Equal(0, console.ExitCode);
        Assert.Empty(console.Warnings);
        var c = new LinuxBootChecks(console.Lines);

        // The counter: every number once, in order, across both processes, and the destination went on counting.
        List<long> ticks = LinuxMigrationGuest.Ticks(console.Lines);
        Assert.Equal(Enumerable.Range(0, ticks.Count).Select(i => (long)i), ticks);
        Assert.Equal(ticks.Count, c.Long("ticks"));
        List<long> sourceTicks = LinuxMigrationGuest.Ticks(before.Lines);
        Assert.NotEmpty(sourceTicks);
        Assert.Contains(sourceTicks[^1] + 1, LinuxMigrationGuest.Ticks(after.Lines));

        // The writer wrote on both sides of the move, and every block reached the image.
        Assert.Contains(before.Lines, l => l.StartsWith("wrote ", StringComparison.Ordinal));
        Assert.Contains(after.Lines, l => l.StartsWith("wrote ", StringComparison.Ordinal));
        Assert.DoesNotContain(console.Lines, l => l.StartsWith("dd_failed_at=", StringComparison.Ordinal));
        Assert.Equal(LinuxMigrationGuest.Blocks.ToString(System.Globalization.CultureInfo.InvariantCulture), c["readback"]);
        Assert.Empty(guest.MissingBlocks());

        // virtio-rng and the console work on the destination.
        Assert.Equal(32, c["rng_bytes"].Length);
        Assert.Equal("0", c["hvc_rc"]);
        Assert.Contains(LinuxMigrationGuest.HvcText, File.ReadAllText(destinationHvc));
        return sourceTicks[^1];
    }
}
