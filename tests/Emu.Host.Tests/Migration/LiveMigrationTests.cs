using System.Text.Json;
using Emu.Host.Tests.Qmp;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests.Migration;

// Live migration between two emu processes on the software CPU: the guest
// keeps writing 8 MiB of RAM (checking on every pass what it wrote the pass
// before) while its RAM is sent round after round; then it stops, the rest
// goes, and the destination runs it. Its console across both processes must
// be exactly that of a run that never moved, which fails if any page was
// missed. Also: the QMP shapes (query-migrate, events), -incoming over unix:
// and tcp:, and that a cancelled or refused migration leaves the source
// running with nothing lost. The first test runs on each accelerator
// ([AccelFact]: on KVM too, in level 2 of the nested lab when this machine has
// no /dev/kvm), and prints the migration's figures.
public sealed class LiveMigrationTests(ITestOutputHelper output)
{
    private const int Mib = 8, Passes = 960;

    [AccelFact]
    public async Task A_live_migration_over_unix_continues_the_guest_exactly_with_query_migrate_and_events()
    {
        await using VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes));
        string socket = Path.Combine(source.Directory, "migrate.sock");
        await using VmProcess destination = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-incoming", $"unix:{socket}"]);
        await using QmpTestClient src = await source.ConnectAsync();
        await using QmpTestClient dst = await destination.ConnectAsync();
        Assert.Equal("inmigrate", await MigrationRun.RunStatusAsync(dst));
        await src.ReturnOfAsync("migrate-set-capabilities", MigrationRun.EventsOn);
        await dst.ReturnOfAsync("migrate-set-capabilities", MigrationRun.EventsOn);
        Assert.Equal("{}", (await src.ReturnOfAsync("query-migrate")).GetRawText());
        await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
        if (TestAccelerator.Current == "kvm")
        {
            // KVM runs in level 2 of the nested lab unless this machine has /dev/kvm: a machine
            // emulated by TCG, where the stream moves a few MB/s while the guest rewrites its
            // 8 MiB faster than that, so no round would fit QEMU's default 300 ms, and a guest
            // that runs out of passes while the rounds go on ends the test. 30 s lets the
            // first or second round stop it.
            await src.ReturnOfAsync("migrate-set-parameters", new Dictionary<string, object> { ["downtime-limit"] = 30000 });
        }

        await MigrationRun.WaitForIncomingSocketAsync(destination, socket, MigrationRun.Long);
        await src.ReturnOfAsync("migrate", new { uri = $"unix:{socket}" });
        JsonElement info = await MigrationRun.WaitForStatusAsync(src, MigrationRun.Long, "completed", "failed");
        Assert.Equal("completed", info.GetProperty("status").GetString());
        Assert.Equal("postmigrate", await MigrationRun.RunStatusAsync(src));
        JsonElement ram = info.GetProperty("ram");
        Assert.Equal(MigrationRun.MigratedRamOf128Mib, ram.GetProperty("total").GetInt64());
        Assert.True(ram.GetProperty("transferred").GetInt64() > Mib << 20, info.ToString());
        Assert.True(ram.GetProperty("normal").GetInt64() >= (Mib << 20) / 4096, info.ToString());
        Assert.True(ram.GetProperty("duplicate").GetInt64() > 0, info.ToString());
        Assert.True(ram.GetProperty("dirty-sync-count").GetInt64() >= 1, info.ToString());
        Assert.Equal(0, ram.GetProperty("remaining").GetInt64());
        Assert.Equal(4096, ram.GetProperty("page-size").GetInt64());
        long downtime = info.GetProperty("downtime").GetInt64();
        Assert.InRange(downtime, 0, info.GetProperty("total-time").GetInt64());
        output.WriteLine($"accelerator {TestAccelerator.Current}: setup {info.GetProperty("setup-time").GetInt64()} ms, total-time {info.GetProperty("total-time").GetInt64()} ms, downtime {downtime} ms, " +
            $"transferred {ram.GetProperty("transferred").GetInt64()} bytes, dirty-sync-count {ram.GetProperty("dirty-sync-count").GetInt64()}");

        Assert.Equal("setup", (await src.WaitForEventAsync("MIGRATION")).GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("active", (await src.WaitForEventAsync("MIGRATION")).GetProperty("data").GetProperty("status").GetString());
        await src.WaitForEventAsync("STOP");
        Assert.Equal("completed", (await src.WaitForEventAsync("MIGRATION")).GetProperty("data").GetProperty("status").GetString());
        await dst.WaitForEventAsync("RESUME", MigrationRun.Long);

        Assert.Equal(0, await destination.WaitForExitAsync(MigrationRun.Long));
        Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), source.SerialOutput + destination.SerialOutput);
    }

    [Fact]
    public async Task A_live_migration_over_tcp_with_migrate_incoming_continues_the_guest_exactly()
    {
        int port = MigrationRun.FreeTcpPort();
        await using VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes));
        await using VmProcess destination = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-incoming", "defer"]);
        await using QmpTestClient src = await source.ConnectAsync();
        await using QmpTestClient dst = await destination.ConnectAsync();
        await dst.ReturnOfAsync("migrate-incoming", new { uri = $"tcp:127.0.0.1:{port}" });
        await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
        await src.ReturnOfAsync("migrate-set-parameters", new Dictionary<string, object> { ["downtime-limit"] = 500, ["max-bandwidth"] = 1L << 30 });
        await src.ReturnOfAsync("migrate", new { uri = $"tcp:127.0.0.1:{port}" });
        Assert.Equal("completed", (await MigrationRun.WaitForStatusAsync(src, MigrationRun.Long, "completed", "failed")).GetProperty("status").GetString());
        Assert.Equal(0, await destination.WaitForExitAsync(MigrationRun.Long));
        Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), source.SerialOutput + destination.SerialOutput);
    }

    [Fact]
    public async Task A_cancelled_migration_leaves_the_source_running_with_nothing_lost()
    {
        await using VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes));
        string socket = Path.Combine(source.Directory, "migrate.sock");
        await using VmProcess destination = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-incoming", $"unix:{socket}"]);
        await using QmpTestClient src = await source.ConnectAsync();
        await src.ReturnOfAsync("migrate-set-capabilities", MigrationRun.EventsOn);
        // 1 MiB/s: the first pass over RAM alone takes many seconds.
        await src.ReturnOfAsync("migrate-set-parameters", new Dictionary<string, object> { ["max-bandwidth"] = 1 << 20 });
        await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
        await MigrationRun.WaitForIncomingSocketAsync(destination, socket, MigrationRun.Long);
        await src.ReturnOfAsync("migrate", new { uri = $"unix:{socket}" });
        await MigrationRun.WaitForStatusAsync(src, MigrationRun.Long, "active");
        await Task.Delay(500);
        await src.ReturnOfAsync("migrate_cancel");
        JsonElement info = await MigrationRun.WaitForStatusAsync(src, MigrationRun.Long, "cancelled", "failed", "completed");
        Assert.Equal("cancelled", info.GetProperty("status").GetString());
        Assert.Equal("running", await MigrationRun.RunStatusAsync(src));
        Assert.Equal(0, await source.WaitForExitAsync(MigrationRun.Long));
        Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), source.SerialOutput);
        // The destination saw a stream end in the middle, and says so.
        Assert.Equal(1, await destination.WaitForExitAsync(MigrationRun.Long));
        Assert.Contains("load of migration failed", destination.Stderr);
        Assert.Equal("", destination.SerialOutput);
    }

    [Fact]
    public async Task A_refusing_destination_fails_the_migration_and_the_source_runs_on()
    {
        await using VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes));
        string socket = Path.Combine(source.Directory, "migrate.sock");
        await using VmProcess destination = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-smp", "2", "-incoming", $"unix:{socket}"]);
        await using QmpTestClient src = await source.ConnectAsync();
        await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
        await MigrationRun.WaitForIncomingSocketAsync(destination, socket, MigrationRun.Long);
        await src.ReturnOfAsync("migrate", new { uri = $"unix:{socket}" });
        JsonElement info = await MigrationRun.WaitForStatusAsync(src, MigrationRun.Long, "failed", "completed");
        Assert.Equal("failed", info.GetProperty("status").GetString());
        Assert.Contains("the source has 1 vCPUs and this VM 2", info.GetProperty("error-desc").GetString());
        Assert.Equal("running", await MigrationRun.RunStatusAsync(src));
        Assert.Equal(0, await source.WaitForExitAsync(MigrationRun.Long));
        Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), source.SerialOutput);
        Assert.Equal(1, await destination.WaitForExitAsync(MigrationRun.Long));
        Assert.Contains("give the destination the same -smp", destination.Stderr);
    }
}
