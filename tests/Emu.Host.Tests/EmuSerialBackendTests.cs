using System.Net.Sockets;
using System.Text;
using Emu.Host.Tests.Qmp;
using Emu.Lab;

namespace Emu.Host.Tests;

public sealed class EmuSerialBackendTests
{
    [AccelFact]
    public void SerialOutputCanGoToAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-serial-{Guid.NewGuid():N}.log");
        try
        {
            EmuProcess run = EmuProcess.Run("-serial", $"file:{path}");
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("", run.Stdout);
            Assert.Contains("RESULT: PASS", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [AccelFact]
    public async Task SerialOutputReachesAUnixSocketClient()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"emu-serial-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "serial.sock"), qmpPath = Path.Combine(directory, "qmp.sock");
        // -S: the guest waits for "cont", sent once the serial client is connected; on the
        // software CPU the firmware would otherwise be done before any client could be.
        using var process = EmuProcess.Start("-S", "-qmp", $"unix:{qmpPath},server=on,wait=off",
            "-chardev", $"socket,id=con,path={path},server=on,wait=off", "-serial", "chardev:con",
            "-fw_cfg", "name=opt/emu/mode,string=pio:1000");
        try
        {
            // A slow machine (the lab's level 2 runs under an emulated CPU) starts emu slowly.
            SpinWait.SpinUntil(() => (File.Exists(path) && File.Exists(qmpPath)) || process.HasExited, TimeSpan.FromSeconds(90));
            if (process.HasExited) // stderr is read only then: before exit, reading it to the end would wait for emu
                Assert.Fail($"emu exited with {process.ExitCode} before creating its sockets: {process.StandardError.ReadToEnd()}");
            Assert.True(File.Exists(path), "socket not created in 90 s");
            // The socket file exists from bind(); connections are accepted from listen() on, a moment later.
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Assert.True(SpinWait.SpinUntil(() => TryConnect(client, path), TimeSpan.FromSeconds(20)), "the socket never accepted a connection");
            await using (QmpTestClient qmp = await QmpTestClient.ConnectNegotiatedUnixAsync(qmpPath))
                await qmp.ReturnOfAsync("cont");
            client.ReceiveTimeout = 300_000;
            var received = new StringBuilder();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = client.Receive(buffer)) > 0)
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)));
            Assert.Equal(0, process.ExitCode);
            // Everything the guest printed: it ran only once the client was there.
            Assert.Equal("done pio 1000", received.ToString().Trim());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
        Assert.False(File.Exists(path), "emu removes its socket file");
        Directory.Delete(directory, recursive: true);
    }

    private static bool TryConnect(Socket client, string path)
    {
        try
        {
            client.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
