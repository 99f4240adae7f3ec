using System.Net.Sockets;
using System.Text;
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
    public void SerialOutputReachesAUnixSocketClient()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-serial-{Guid.NewGuid():N}.sock");
        // The guest runs a loop of 100,000 exits (seconds here) before it prints its
        // last line, so the client is connected by then.
        using var process = EmuProcess.Start("-chardev", $"socket,id=con,path={path},server=on,wait=off", "-serial", "chardev:con",
            "-fw_cfg", "name=opt/emu/mode,string=pio:100000");
        try
        {
            // A slow machine (the lab's level 2 runs under an emulated CPU) starts emu slowly.
            SpinWait.SpinUntil(() => File.Exists(path) || process.HasExited, TimeSpan.FromSeconds(90));
            Assert.False(process.HasExited, $"emu exited with {(process.HasExited ? process.ExitCode : 0)} before creating the socket: {process.StandardError.ReadToEnd()}");
            Assert.True(File.Exists(path), "socket not created in 90 s");
            // The socket file exists from bind(); connections are accepted from listen() on, a moment later.
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Assert.True(SpinWait.SpinUntil(() => TryConnect(client, path), TimeSpan.FromSeconds(20)), "the socket never accepted a connection");
            client.ReceiveTimeout = 300_000;
            var received = new StringBuilder();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = client.Receive(buffer)) > 0)
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)));
            Assert.Equal(0, process.ExitCode);
            // Lines printed before the client connected are dropped, as with QEMU's wait=off.
            Assert.Contains("done pio 100000", received.ToString());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
        Assert.False(File.Exists(path), "emu removes its socket file");
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
