using System.Net.Sockets;
using System.Text;

namespace Emu.QmpLatency;

/// <summary>
/// The thinnest QMP client there is: blocking sends and receives on one UNIX
/// socket, a reply being one line. Both VMMs get the same client, so its own
/// cost is the same on both sides of the comparison.
/// </summary>
internal sealed class LineClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;

    private LineClient(Socket socket) => _socket = socket;

    public static LineClient Connect(string path, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
                return new LineClient(socket);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                Thread.Sleep(20);
            }
        }
    }

    public void Send(byte[] message) => _socket.Send(message);

    /// <summary>The next line, without its line end.</summary>
    public string ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                throw new InvalidOperationException("a line longer than the buffer");
            int n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (n == 0)
                throw new EndOfStreamException("the VMM closed the connection");
            _end += n;
        }
    }

    /// <summary>Sends a command and returns its reply, skipping events.</summary>
    public string Execute(byte[] command)
    {
        Send(command);
        while (true)
        {
            string line = ReadLine();
            if (!line.Contains("\"event\"", StringComparison.Ordinal))
                return line;
        }
    }

    public void Dispose() => _socket.Dispose();
}
