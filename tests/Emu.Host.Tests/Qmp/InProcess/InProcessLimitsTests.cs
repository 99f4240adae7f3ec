using System.Text.Json;
using Emu.Host.Qmp;

namespace Emu.Host.Tests.Qmp.InProcess;

public sealed class InProcessLimitsTests
{
    [Fact]
    public async Task ClientsPastTheLimitAreToldWhyAndTheOthersAreStillServed()
    {
        await using var vm = new InProcessVm();
        var clients = new List<QmpTestClient>();
        try
        {
            for (int i = 0; i < QmpServer.MaxClients; i++)
                clients.Add(await QmpTestClient.ConnectUnixAsync(vm.SocketPath));
            await using QmpTestClient extra = await QmpTestClient.ConnectUnixAsync(vm.SocketPath);
            Assert.Contains("Too many QMP clients", extra.Greeting.GetProperty("error").GetProperty("desc").GetString());
            Assert.True(await extra.IsClosedByServerAsync(QmpTestClient.DefaultTimeout));

            QmpTestClient first = clients[0];
            Assert.True((await first.ExecuteAsync("qmp_capabilities")).TryGetProperty("return", out _));
            Assert.Equal("running", (await first.ReturnOfAsync("query-status")).GetProperty("status").GetString());

            // One leaves; the next newcomer is served.
            await clients[^1].DisposeAsync();
            clients.RemoveAt(clients.Count - 1);
            QmpTestClient late = await RetryConnect(vm);
            clients.Add(late);
            Assert.Equal(JsonValueKind.Object, late.Greeting.GetProperty("QMP").ValueKind);
        }
        finally
        {
            foreach (QmpTestClient client in clients)
                await client.DisposeAsync();
        }
    }

    // The server notices a departure asynchronously; a newcomer may be refused until it has.
    private static async Task<QmpTestClient> RetryConnect(InProcessVm vm)
    {
        while (true)
        {
            QmpTestClient client = await QmpTestClient.ConnectUnixAsync(vm.SocketPath);
            if (client.Greeting.TryGetProperty("QMP", out _))
                return client;
            await client.DisposeAsync();
            await Task.Delay(20);
        }
    }
}
