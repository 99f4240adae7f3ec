using System.Text.Json;
using Emu.Host.Tests.Qmp;
using Emu.Lab;

namespace Emu.Host.Tests.Migration;

// A snapshot is "stop" + "migrate file:PATH"; a restore is a new emu with
// "-incoming defer" + "migrate-incoming file:PATH" + "cont", QEMU's way. The
// firmware guest keeps writing memory and checking what it wrote, and its
// console must read as if it had never stopped: its output before the
// snapshot plus the restored VM's output is exactly a run's output.
public sealed class SnapshotTests
{
    private const int Mib = 4, Passes = 960;

    [AccelFact]
    public async Task A_restored_snapshot_continues_the_guest_exactly()
    {
        string snapshot;
        string before;
        await using (VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes)))
        {
            await using QmpTestClient qmp = await source.ConnectAsync();
            await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
            await qmp.ReturnOfAsync("stop");
            snapshot = Path.Combine(Path.GetTempPath(), $"emu-snap-{Guid.NewGuid():N}");
            await qmp.ReturnOfAsync("migrate", new { uri = $"file:{snapshot}" });
            JsonElement info = await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed");
            Assert.Equal("completed", info.GetProperty("status").GetString());
            Assert.Equal("postmigrate", await MigrationRun.RunStatusAsync(qmp));
            Assert.Equal(MigrationRun.MigratedRamOf128Mib, info.GetProperty("ram").GetProperty("total").GetInt64());
            await qmp.ReturnOfAsync("quit");
            await source.WaitForExitAsync();
            before = source.SerialOutput;
        }
        try
        {
            await using VmProcess restored = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-S", "-incoming", "defer"]);
            await using QmpTestClient qmp = await restored.ConnectAsync();
            Assert.Equal("inmigrate", await MigrationRun.RunStatusAsync(qmp));
            await qmp.ReturnOfAsync("migrate-incoming", new { uri = $"file:{snapshot}" });
            Assert.Equal("completed", (await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed")).GetProperty("status").GetString());
            Assert.Equal("paused", await MigrationRun.RunStatusAsync(qmp));
            await qmp.ReturnOfAsync("cont");
            Assert.Equal(0, await restored.WaitForExitAsync(MigrationRun.Long));
            Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), before + restored.SerialOutput);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    [Fact]
    public async Task A_snapshot_of_a_running_vm_made_with_incoming_on_the_command_line_runs_at_once()
    {
        // migrate file: on a running guest is a live save; -incoming file: without -S starts the guest when loaded.
        string snapshot = Path.Combine(Path.GetTempPath(), $"emu-snap-{Guid.NewGuid():N}");
        try
        {
            string before;
            await using (VmProcess source = VmProcess.StartEmuWithSerialFile(DirtyGuest.Arguments(Mib, Passes)))
            {
                await using QmpTestClient qmp = await source.ConnectAsync();
                await MigrationRun.WaitForSerialAsync(source, "pass 16 ", MigrationRun.Long);
                await qmp.ReturnOfAsync("migrate", new { uri = $"file:{snapshot}" });
                Assert.Equal("completed", (await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed")).GetProperty("status").GetString());
                Assert.Equal("postmigrate", await MigrationRun.RunStatusAsync(qmp));
                await qmp.ReturnOfAsync("quit");
                await source.WaitForExitAsync();
                before = source.SerialOutput;
            }
            await using VmProcess restored = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-incoming", $"file:{snapshot}"]);
            Assert.Equal(0, await restored.WaitForExitAsync(MigrationRun.Long));
            Assert.Equal(DirtyGuest.ExpectedOutput(Mib, Passes), before + restored.SerialOutput);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    [Fact]
    public async Task A_snapshot_for_another_machine_is_refused_and_emu_exits_with_the_reason()
    {
        string snapshot = Path.Combine(Path.GetTempPath(), $"emu-snap-{Guid.NewGuid():N}");
        try
        {
            await using (VmProcess source = VmProcess.StartEmuWithSerialFile(["-S", .. DirtyGuest.Arguments(Mib, Passes)]))
            {
                await using QmpTestClient qmp = await source.ConnectAsync();
                await qmp.ReturnOfAsync("migrate", new { uri = $"file:{snapshot}" });
                Assert.Equal("completed", (await MigrationRun.WaitForStatusAsync(qmp, MigrationRun.Long, "completed", "failed")).GetProperty("status").GetString());
                await qmp.ReturnOfAsync("quit");
            }
            await using VmProcess other = VmProcess.StartEmuWithSerialFile([.. DirtyGuest.Arguments(Mib, Passes), "-m", "256M", "-incoming", $"file:{snapshot}"]);
            Assert.Equal(1, await other.WaitForExitAsync(MigrationRun.Long));
            Assert.Contains("emu: load of migration failed: the source's guest RAM is laid out as", other.Stderr);
            Assert.Contains("give the destination the same -m", other.Stderr);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }
}
