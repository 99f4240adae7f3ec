using System.Text.Json;
using Emu.Host.Tests.Qmp;

namespace Emu.Host.Tests.Migration;

// The migration commands' QMP shapes and refusals, as QEMU has them.
public sealed class MigrationQmpTests
{
    [Fact]
    public async Task Parameters_have_qemus_defaults_and_change_within_bounds()
    {
        await using VmProcess vm = VmProcess.StartEmu(["-accel", "tcg", "-S"]);
        await using QmpTestClient qmp = await vm.ConnectAsync();
        JsonElement p = await qmp.ReturnOfAsync("query-migrate-parameters");
        Assert.Equal(300, p.GetProperty("downtime-limit").GetInt64());
        Assert.Equal(128L << 20, p.GetProperty("max-bandwidth").GetInt64());
        await qmp.ReturnOfAsync("migrate-set-parameters", new Dictionary<string, object> { ["downtime-limit"] = 50, ["max-bandwidth"] = 1000 });
        p = await qmp.ReturnOfAsync("query-migrate-parameters");
        Assert.Equal((50L, 1000L), (p.GetProperty("downtime-limit").GetInt64(), p.GetProperty("max-bandwidth").GetInt64()));
        JsonElement error = await qmp.ExecuteAsync("migrate-set-parameters", new Dictionary<string, object> { ["downtime-limit"] = 2_000_001 });
        Assert.Contains("'downtime_limit' expects an integer in the range of 0 to 2000000", error.GetProperty("error").GetProperty("desc").GetString());
        error = await qmp.ExecuteAsync("migrate-set-parameters", new Dictionary<string, object> { ["multifd-channels"] = 4 });
        Assert.Equal("Parameter 'multifd-channels' is unexpected", error.GetProperty("error").GetProperty("desc").GetString());
    }

    [Fact]
    public async Task Capabilities_list_qemus_names_and_only_events_can_be_on()
    {
        await using VmProcess vm = VmProcess.StartEmu(["-accel", "tcg", "-S"]);
        await using QmpTestClient qmp = await vm.ConnectAsync();
        await qmp.ReturnOfAsync("migrate-set-capabilities", MigrationRun.EventsOn);
        JsonElement caps = await qmp.ReturnOfAsync("query-migrate-capabilities");
        Assert.Contains(caps.EnumerateArray(), c => c.GetProperty("capability").GetString() == "events" && c.GetProperty("state").GetBoolean());
        Assert.Contains(caps.EnumerateArray(), c => c.GetProperty("capability").GetString() == "postcopy-ram" && !c.GetProperty("state").GetBoolean());
        JsonElement error = await qmp.ExecuteAsync("migrate-set-capabilities", new { capabilities = new[] { new { capability = "postcopy-ram", state = true } } });
        Assert.Equal("the migration capability 'postcopy-ram' is not supported by emu", error.GetProperty("error").GetProperty("desc").GetString());
        error = await qmp.ExecuteAsync("migrate-set-capabilities", new { capabilities = new[] { new { capability = "warp-drive", state = false } } });
        Assert.Contains("does not accept value 'warp-drive'", error.GetProperty("error").GetProperty("desc").GetString());
    }

    [Theory]
    [InlineData("exec:cat", "emu does not migrate over exec:")]
    [InlineData("tcp:localhost", "tcp: needs HOST:PORT")]
    [InlineData("tcp:localhost:99999", "'99999' is not a port number")]
    [InlineData("gopher:x", "unknown migration protocol 'gopher'")]
    public async Task Bad_uris_are_refused_by_migrate(string uri, string message)
    {
        await using VmProcess vm = VmProcess.StartEmu(["-accel", "tcg", "-S"]);
        await using QmpTestClient qmp = await vm.ConnectAsync();
        JsonElement error = await qmp.ExecuteAsync("migrate", new { uri });
        Assert.Contains(message, error.GetProperty("error").GetProperty("desc").GetString());
        Assert.Equal("{}", (await qmp.ReturnOfAsync("query-migrate")).GetRawText());
    }

    [Fact]
    public async Task A_destination_that_is_not_listening_fails_migrate_at_once()
    {
        await using VmProcess vm = VmProcess.StartEmu(["-accel", "tcg", "-S"]);
        await using QmpTestClient qmp = await vm.ConnectAsync();
        JsonElement error = await qmp.ExecuteAsync("migrate", new { uri = $"unix:{Path.Combine(vm.Directory, "nobody.sock")}" });
        Assert.StartsWith("Failed to connect to 'unix:", error.GetProperty("error").GetProperty("desc").GetString());
        Assert.Equal("prelaunch", await MigrationRun.RunStatusAsync(qmp));
    }

    [Fact]
    public async Task A_vm_with_virtio_devices_has_no_blockers_and_its_snapshot_is_written()
    {
        // virtio-blk, -rng and the console migrate (their transport, queues and device state):
        // query-migrate names no blocker and migrate file: writes the snapshot. (A device that
        // cannot migrate being named is Emu.Devices.Tests' MachineStateTests.)
        string disk = Path.Combine(Path.GetTempPath(), $"emu-virtio-snap-{Guid.NewGuid():N}.img");
        await using (FileStream image = File.Create(disk))
            image.SetLength(1 << 20);
        try
        {
            await using VmProcess vm = VmProcess.StartEmu(["-accel", "tcg", "-S", "-drive", $"file={disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,id=disk0",
                "-device", "virtio-rng-pci", "-device", "virtio-serial-pci"]);
            await using QmpTestClient qmp = await vm.ConnectAsync();
            Assert.Equal("{}", (await qmp.ReturnOfAsync("query-migrate")).GetRawText()); // no "blocked-reasons"

            string snapshot = Path.Combine(vm.Directory, "snapshot");
            await qmp.ReturnOfAsync("migrate", new { uri = $"file:{snapshot}" });
            JsonElement info = await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed");
            Assert.Equal("completed", info.GetProperty("status").GetString());
            Assert.True(new FileInfo(snapshot).Length > 0);
            Assert.Equal("postmigrate", await MigrationRun.RunStatusAsync(qmp));
        }
        finally
        {
            File.Delete(disk);
        }
    }

    [Fact]
    public async Task Incoming_commands_follow_qemus_rules()
    {
        await using VmProcess plain = VmProcess.StartEmu(["-accel", "tcg", "-S"]);
        await using QmpTestClient qmp = await plain.ConnectAsync();
        JsonElement error = await qmp.ExecuteAsync("migrate-incoming", new { uri = "unix:/tmp/x.sock" });
        Assert.Equal("'-incoming' was not specified on the command line", error.GetProperty("error").GetProperty("desc").GetString());

        await using VmProcess deferred = VmProcess.StartEmu(["-accel", "tcg", "-incoming", "defer"]);
        await using QmpTestClient d = await deferred.ConnectAsync();
        Assert.Equal("inmigrate", await MigrationRun.RunStatusAsync(d));
        error = await d.ExecuteAsync("migrate", new { uri = $"unix:{Path.Combine(deferred.Directory, "x.sock")}" });
        Assert.Equal("Guest is waiting for an incoming migration", error.GetProperty("error").GetProperty("desc").GetString());
        error = await d.ExecuteAsync("migrate-incoming", new { uri = "file:/nonexistent/snapshot" });
        Assert.Contains("the snapshot file does not exist", error.GetProperty("error").GetProperty("desc").GetString());
        error = await d.ExecuteAsync("migrate-incoming", new { uri = "file:/x", channels = Array.Empty<object>() });
        Assert.Equal("need either 'uri' or 'channels' argument", error.GetProperty("error").GetProperty("desc").GetString());
    }

    [Theory]
    [InlineData("defer:now", "unknown migration protocol 'defer'")]
    [InlineData("unix:", "the socket path is empty")]
    public void A_bad_incoming_option_is_a_start_up_error(string value, string message)
    {
        EmuProcess run = EmuProcess.Run("-accel", "tcg", "-incoming", value);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }
}
