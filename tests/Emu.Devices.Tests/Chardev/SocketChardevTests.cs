using System.Net.Sockets;
using System.Text;
using Emu.Devices.Chardev;

namespace Emu.Devices.Tests.Chardev;

public sealed class SocketChardevTests
{
    [Fact]
    public void AUnixSocketClientGetsOutputAndSendsInput()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-chardev-{Guid.NewGuid():N}.sock");
        var chardev = (SocketChardev)SocketChardev.TypeInfo.CreateInstance();
        chardev.SetText("path", path);
        chardev.Open();
        var frontend = new CollectingFrontend();
        chardev.Attach(frontend);
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            client.Send("typed"u8);
            Assert.True(SpinWait.SpinUntil(() => frontend.Text == "typed", TimeSpan.FromSeconds(10)));
            // Output before the accept thread has registered the client may be dropped: wait for input first (above).
            chardev.Write("hello"u8);
            byte[] buffer = new byte[5];
            int n = 0;
            client.ReceiveTimeout = 10_000;
            while (n < 5)
                n += client.Receive(buffer, n, 5 - n, SocketFlags.None);
            Assert.Equal("hello", Encoding.ASCII.GetString(buffer));
        }
        finally
        {
            chardev.Dispose();
        }
        Assert.False(File.Exists(path), "the socket file is removed when the chardev closes");
    }

    [Fact]
    public void AnExistingPathIsRefused()
    {
        string path = Path.GetTempFileName();
        try
        {
            var chardev = (SocketChardev)SocketChardev.TypeInfo.CreateInstance();
            chardev.SetText("path", path);
            Assert.Contains("already exists", Assert.Throws<IOException>(chardev.Open).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class CollectingFrontend : IChardevFrontend
    {
        private readonly StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                    return _text.ToString();
            }
        }

        public int Receive(ReadOnlySpan<byte> data)
        {
            lock (_text)
                _text.Append(Encoding.ASCII.GetString(data));
            return data.Length;
        }
    }
}
