using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>Issue 15, item 10: bad QMP input is refused with a reply, and leaves nothing behind.</summary>
public sealed class InProcessQmpRobustnessTests
{
    private static string Error(JsonElement reply) => reply.GetProperty("error").GetProperty("desc").GetString()!;

    // device_add realized the device, then failed to put it in the tree under
    // an id the tree cannot hold: the guest saw a device that device_del could
    // not name. On q35, 30 such calls filled every hotplug slot.
    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/")]
    [InlineData("1st")]
    public async Task ADeviceWithABadIdIsRefusedBeforeItExists(string id)
    {
        await using var vm = new InProcessVm();
        await using QmpTestClient client = await vm.ConnectAsync();
        for (int i = 0; i < 40; i++)
        {
            JsonElement reply = await client.ExecuteAsync("device_add", new { driver = "test-pluggable", id });
            Assert.Equal("Parameter 'id' expects an identifier", Error(reply));
        }
        Assert.Empty(vm.Machine.Hotplug.Plugged);
        Assert.DoesNotContain(vm.Machine.Devices, d => d is PluggableDevice);
        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "ok" });
        Assert.Single(vm.Machine.Hotplug.Plugged);
    }

    // Bytes that are not UTF-8 inside a string, and an escaped half of a
    // surrogate pair: the reader accepted the structure, the first GetString
    // threw, and the session was dropped without a reply (in the outer
    // message) or the command failed with a logged stack trace (in the arguments).
    [Theory]
    [InlineData("{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/machine\", \"property\": \"\xFF\xFE\"}, \"id\": 7}")]
    [InlineData("{\"execute\": \"\xC3\x28\", \"id\": 7}")]
    [InlineData("{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"\\ud800\", \"property\": \"type\"}, \"id\": 7}")]
    [InlineData("{\"\xFF\": 1, \"execute\": \"query-status\", \"id\": 7}")]
    // Found by QmpFuzzTests: half a surrogate pair escaped in a member name
    // threw from TryGetProperty("id") while the error reply was being made.
    [InlineData("{\"\\ud800x\": 1, \"execute\": \"query-status\", \"id\": 7}")]
    [InlineData("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"test-pluggable\", \"id\": \"x\", \"q\xE9ues\": 1}, \"id\": 7}")]
    public async Task StringsThatAreNotUnicodeGetAnErrorReplyAndTheSessionGoesOn(string latin1)
    {
        var logger = new RecordingLogger();
        await using var vm = new InProcessVm(logger);
        await using QmpTestClient client = await vm.ConnectAsync();
        await client.SendBytesAsync(Encoding.Latin1.GetBytes(latin1 + "\n"));
        JsonElement reply = await client.ReadReplyAsync();
        Assert.Contains("invalid UTF-8", Error(reply));
        Assert.Equal(7, reply.GetProperty("id").GetInt32());
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        Assert.Empty(logger.Entries);
        Assert.DoesNotContain(vm.Machine.Devices, d => d is PluggableDevice);
    }

    // A client that sends a burst of commands and leaves without reading the
    // replies is an ordinary disconnect: nothing to warn about, no stack trace.
    [Fact]
    public async Task AClientThatLeavesWithRepliesQueuedIsNoWarning()
    {
        var logger = new RecordingLogger();
        await using var vm = new InProcessVm(logger);
        for (int round = 0; round < 5; round++)
        {
            QmpTestClient client = await vm.ConnectAsync();
            var burst = new StringBuilder();
            for (int i = 0; i < 2000; i++)
                burst.Append("{\"execute\": \"qom-list-types\"}\n");
            await client.SendRawAsync(burst.ToString());
            client.Abort();
            await client.DisposeAsync();
        }
        await using QmpTestClient other = await vm.ConnectAsync();
        Assert.Equal("running", (await other.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        await Task.Delay(500);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(logger.Entries, e => e.Exception != null);
    }
}
