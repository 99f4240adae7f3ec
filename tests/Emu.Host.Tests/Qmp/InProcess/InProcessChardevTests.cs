using System.Net.Sockets;
using System.Text.Json;
using Emu.Devices.Chardev;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>Issue 15, item 8: output dropped for a client that does not read is visible to the user.</summary>
public sealed class InProcessChardevTests
{
    [Fact]
    public async Task QueryChardevAndInfoChardevCountOutputDroppedForAStalledClient()
    {
        await using var vm = new InProcessVm();
        string path = Path.Combine(Path.GetTempPath(), $"emu-qmp-chardev-{Guid.NewGuid():N}.sock");
        var chardev = (SocketChardev)SocketChardev.TypeInfo.CreateInstance();
        chardev.Id = "con0";
        chardev.SetText("path", path);
        chardev.Open();
        vm.Machine.Own(chardev);
        vm.Machine.RegisterBackend("con0", chardev);
        using var stalled = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stalled.Connect(new UnixDomainSocketEndPoint(path));
        await using QmpTestClient client = await vm.ConnectAsync();

        byte[] chunk = new byte[4096];
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (chardev.DroppedBytes == 0 && DateTime.UtcNow < deadline)
            chardev.Write(chunk); // a guest printing into a client that went to sleep

        JsonElement info = Assert.Single((await client.ReturnOfAsync("query-chardev")).EnumerateArray());
        Assert.Equal("con0", info.GetProperty("label").GetString());
        Assert.Equal($"unix:{path},server=on", info.GetProperty("filename").GetString());
        Assert.True(info.GetProperty("dropped-bytes").GetInt64() > 0);
        string text = await client.HmpAsync("info chardev");
        Assert.Matches(@"^con0: filename=unix:.*, dropped \d+ bytes of output\r\n$", text);
    }
}
