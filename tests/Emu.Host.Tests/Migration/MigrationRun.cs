using System.Text.Json;
using Emu.Host.Tests.Qmp;

namespace Emu.Host.Tests.Migration;

/// <summary>Helpers for tests that move a VM between emu processes.</summary>
internal static class MigrationRun
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The guest RAM a 128 MiB q35 VM migrates: all of it but the 64 KiB under
    /// the firmware ROM's window below 1 MiB (0xF0000-0xFFFFF), where the
    /// guest sees the ROM and not RAM.
    /// </summary>
    public const long MigratedRamOf128Mib = (128L << 20) - (64L << 10);

    /// <summary>Polls query-migrate until the status is one of <paramref name="statuses"/>; returns the last reply.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(QmpTestClient qmp, TimeSpan timeout, params string[] statuses)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            JsonElement info = await qmp.ReturnOfAsync("query-migrate");
            if (info.TryGetProperty("status", out JsonElement status) && statuses.Contains(status.GetString()))
                return info;
            Assert.True(DateTime.UtcNow < deadline, $"migration did not reach {string.Join('/', statuses)}: {info}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until a destination started with -incoming unix:PATH has bound its socket: a
    /// source guest may reach the point where a test migrates it before the destination
    /// process is up (connect() on a path not yet bound fails with ENOENT).
    /// </summary>
    public static async Task WaitForIncomingSocketAsync(VmProcess destination, string socket, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(socket))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the destination did not bind {socket}: {destination.Stderr}");
            Assert.False(destination.Process.HasExited, $"the destination ended early: {destination.Stderr}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the guest's console shows <paramref name="text"/>.</summary>
    public static async Task WaitForSerialAsync(VmProcess vm, string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!vm.SerialOutput.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the guest did not print '{text}'; so far: {vm.SerialOutput}\n{vm.Stderr}");
            Assert.False(vm.Process.HasExited, $"emu ended early: {vm.Stderr}");
            await Task.Delay(50);
        }
    }

    public static async Task<string> RunStatusAsync(QmpTestClient qmp) =>
        (await qmp.ReturnOfAsync("query-status")).GetProperty("status").GetString()!;

    public static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static object EventsOn => new { capabilities = new[] { new { capability = "events", state = true } } };
}
