using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Emu.Lab;

namespace Emu.Host.Tests.Qmp;

/// <summary>The QMP protocol as a client sees it: greeting, negotiation, ids, errors, several clients, both socket kinds.</summary>
public sealed class QmpProtocolTests
{
    private static string ErrorClass(JsonElement reply) => reply.GetProperty("error").GetProperty("class").GetString()!;

    private static string ErrorText(JsonElement reply) => reply.GetProperty("error").GetProperty("desc").GetString()!;

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [AccelFact]
    public async Task BothSocketKindsGreetNegotiateAndEchoIds()
    {
        int port = FreeTcpPort();
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Append("-qmp").Append($"tcp:127.0.0.1:{port},server=on,wait=off").ToArray());
        await using QmpTestClient unix = await QmpTestClient.ConnectUnixAsync(vm.SocketPath);
        await using QmpTestClient tcp = await QmpTestClient.ConnectTcpAsync(port);
        foreach (QmpTestClient client in new[] { unix, tcp })
        {
            JsonElement qmp = client.Greeting.GetProperty("QMP");
            Assert.True(qmp.GetProperty("version").GetProperty("qemu").GetProperty("major").ValueKind == JsonValueKind.Number);
            Assert.Equal(JsonValueKind.Array, qmp.GetProperty("capabilities").ValueKind);

            JsonElement early = await client.ExecuteAsync("query-status", id: "early");
            Assert.Equal("CommandNotFound", ErrorClass(early));
            Assert.Contains("qmp_capabilities", ErrorText(early));
            Assert.Equal("early", early.GetProperty("id").GetString());

            JsonElement negotiated = await client.ExecuteAsync("qmp_capabilities", id: 1);
            Assert.Equal(JsonValueKind.Object, negotiated.GetProperty("return").ValueKind);
            Assert.Equal(1, negotiated.GetProperty("id").GetInt32());
            Assert.Equal("CommandNotFound", ErrorClass(await client.ExecuteAsync("qmp_capabilities")));

            JsonElement status = await client.ExecuteAsync("query-status", id: new { tag = new[] { 1, 2 } });
            Assert.Equal("running", status.GetProperty("return").GetProperty("status").GetString());
            Assert.Equal("[1,2]", status.GetProperty("id").GetProperty("tag").GetRawText());
        }
    }

    [AccelFact]
    public async Task EveryClientSeesTheEventsAnotherClientCauses()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient a = await vm.ConnectAsync();
        await using QmpTestClient b = await vm.ConnectAsync();
        await using QmpTestClient c = await vm.ConnectAsync();
        await a.ReturnOfAsync("stop");
        Assert.Equal("paused", (await c.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        await b.ReturnOfAsync("cont");
        foreach (QmpTestClient client in new[] { a, b, c })
        {
            JsonElement stop = await client.WaitForEventAsync("STOP");
            Assert.True(stop.GetProperty("timestamp").GetProperty("seconds").GetInt64() > 0);
            await client.WaitForEventAsync("RESUME");
        }
    }

    [AccelFact]
    public async Task BadInputGetsQmpErrorsAndTheConnectionAndMachineCarryOn()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();

        Assert.Equal("CommandNotFound", ErrorClass(await client.ExecuteAsync("no-such-command")));
        JsonElement missing = await client.ExecuteAsync("qom-get", new { path = "/machine" });
        Assert.Equal("Parameter 'property' is missing", ErrorText(missing));
        Assert.Equal("Invalid parameter type for 'path', expected: string", ErrorText(await client.ExecuteAsync("qom-get", new { path = 1, property = "type" })));
        Assert.Equal("Parameter 'colour' is unexpected", ErrorText(await client.ExecuteAsync("query-status", new { colour = "red" })));
        Assert.Equal("DeviceNotFound", ErrorClass(await client.ExecuteAsync("qom-get", new { path = "/nowhere", property = "type" })));

        JsonElement malformed = await client.SendAsync("{\"execute\": \"query-status\",, }");
        Assert.Equal("GenericError", ErrorClass(malformed));
        Assert.StartsWith("JSON parse error", ErrorText(malformed));
        Assert.StartsWith("JSON parse error", ErrorText(await client.SendAsync("garbage")));
        Assert.Equal("QMP input must be a JSON object", ErrorText(await client.SendAsync("[1, 2]")));
        Assert.Equal("QMP input lacks member 'execute'", ErrorText(await client.SendAsync("{\"id\": 3}")));
        Assert.Equal("QMP input member 'arguments' must be an object", ErrorText(await client.SendAsync("{\"execute\": \"stop\", \"arguments\": []}")));
        JsonElement unexpected = await client.SendAsync("{\"execute\": \"stop\", \"id\": 9, \"colour\": 1}");
        Assert.Equal("QMP input member 'colour' is unexpected", ErrorText(unexpected));
        Assert.Equal(9, unexpected.GetProperty("id").GetInt32());

        // Over the size limit (1 MiB): refused, skipped, and the next command works.
        string huge = "{\"execute\": \"query-status\", \"id\": \"" + new string('x', 2 << 20) + "\"}";
        JsonElement tooLarge = await client.SendAsync(huge);
        Assert.Contains("exceeds the limit", ErrorText(tooLarge));
        // Nested too deeply: the same.
        Assert.Contains("nested deeper", ErrorText(await client.SendAsync(new string('[', 200) + new string(']', 200))));
        // A brace inside a string does not confuse the framing.
        JsonElement braces = await client.ExecuteAsync("query-status", id: "}{\"\\");
        Assert.Equal("}{\"\\", braces.GetProperty("id").GetString());

        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        Assert.False(vm.Process.HasExited);
    }

    [AccelFact]
    public async Task AClientVanishingMidCommandHurtsNobody()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient observer = await vm.ConnectAsync();
        for (int i = 0; i < 5; i++)
        {
            QmpTestClient leaver = await vm.ConnectAsync();
            // A command that needs the vCPU, and half a message, then gone without reading.
            await leaver.SendRawAsync("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info registers\"}}\n{\"execute\": \"qu");
            await leaver.DisposeAsync();
        }
        Assert.Equal("running", (await observer.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        Assert.Contains("RIP=", await observer.HmpAsync("info registers"));
        Assert.False(vm.Process.HasExited);
    }

    [AccelFact]
    public async Task AClientThatNeverReadsIsDisconnectedWhileOthersAreServed()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient reader = await vm.ConnectAsync();
        await using QmpTestClient stuck = await vm.ConnectAsync();
        // About 50 MB of replies that the stuck client never reads, sent from another task.
        string burst = string.Concat(Enumerable.Repeat("{\"execute\": \"query-machines\"}\n", 2000));
        Task flood = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 50; i++)
                    await stuck.SendRawAsync(burst);
            }
            catch (IOException)
            {
                // Disconnected by the server: expected.
            }
        });
        // Meanwhile the other client is answered, command after command.
        for (int i = 0; i < 50; i++)
            Assert.Equal("running", (await reader.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        await flood.WaitAsync(QmpTestClient.DefaultTimeout);
        Assert.True(await stuck.IsClosedByServerAsync(QmpTestClient.DefaultTimeout), "the client that never read was not disconnected");
        Assert.True(await vm.StderrShowsAsync("does not read its replies"), vm.Stderr);
        Assert.Equal("running", (await reader.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }

    [AccelFact]
    public async Task WithWaitOnTheGuestStartsOnlyOnceAClientConnects()
    {
        // The firmware's self-test prints a banner at once, then powers off.
        await using VmProcess vm = VmProcess.StartEmuWaiting();
        while (!Directory.GetFileSystemEntries(vm.Directory).Contains(vm.SocketPath))
            await Task.Delay(20);
        await Task.Delay(1000); // long enough for the banner, had the guest started
        Assert.DoesNotContain("Emu firmware", vm.SerialOutput);
        await using QmpTestClient client = await QmpTestClient.ConnectUnixAsync(vm.SocketPath);
        Assert.Equal(0, await vm.WaitForExitAsync());
        Assert.Contains("RESULT: PASS", vm.SerialOutput);
    }

    [AccelFact]
    public async Task QuitRepliesAnnouncesShutdownAndEndsWithStatusZero()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        await client.ReturnOfAsync("quit");
        JsonElement shutdown = await client.WaitForEventAsync("SHUTDOWN");
        Assert.Equal("host-qmp-quit", shutdown.GetProperty("data").GetProperty("reason").GetString());
        Assert.False(shutdown.GetProperty("data").GetProperty("guest").GetBoolean());
        Assert.True(await client.IsClosedByServerAsync(QmpTestClient.DefaultTimeout));
        Assert.Equal(0, await vm.WaitForExitAsync());
    }

    [Fact]
    public async Task ASocketPathThatIsAFileIsAStartupError()
    {
        string directory = VmProcess.NewDirectory();
        try
        {
            File.WriteAllText(Path.Combine(directory, "qmp.sock"), "not a socket");
            await using VmProcess vm = VmProcess.StartEmuIn(directory);
            Assert.Equal(1, await vm.WaitForExitAsync());
            Assert.Contains("the path exists and is not a socket", vm.Stderr);
            Assert.Equal("not a socket", File.ReadAllText(Path.Combine(directory, "qmp.sock")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ASocketInUseIsAStartupError()
    {
        string directory = VmProcess.NewDirectory();
        using var cleanup = new DirectoryCleanup(directory);
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "qmp.sock")));
        live.Listen();
        await using VmProcess refused = VmProcess.StartEmuIn(directory);
        Assert.Equal(1, await refused.WaitForExitAsync());
        Assert.Contains("in use by another process", refused.Stderr);
    }

    [AccelFact]
    public async Task ADeadSocketLeftBehindIsReplaced()
    {
        string directory = VmProcess.NewDirectory();
        using var cleanup = new DirectoryCleanup(directory);
        // Bound but not listening: connecting is refused, as with a socket whose VMM has died.
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dead.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "qmp.sock")));
        await using VmProcess vm = VmProcess.StartEmuIn(directory, VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        await client.ReturnOfAsync("quit");
        Assert.Equal(0, await vm.WaitForExitAsync());
    }

    [Theory]
    [InlineData("unix:/tmp/x.sock", "only server mode")]
    [InlineData("tcp:localhost,server=on", "expected tcp:HOST:PORT")]
    [InlineData("tcp:127.0.0.1:99999,server=on", "invalid port")]
    [InlineData("stdio", "expected unix:PATH")]
    [InlineData("unix:/tmp/x.sock,server=on,colour=red", "unknown parameter 'colour'")]
    public void BadQmpOptionsAreOneClearLine(string spec, string expected)
    {
        EmuProcess run = EmuProcess.Run("-qmp", spec);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines));
    }
}
