using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// A QMP client as any management tool writes one: raw JSON over a UNIX or TCP
/// socket, one message per line, events set aside while waiting for a reply.
/// It knows nothing of emu, so the same client drives QEMU.
/// </summary>
internal sealed class QmpTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly List<JsonElement> _events = new();

    private QmpTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>The greeting the server sent on connect.</summary>
    public JsonElement Greeting { get; private set; }

    /// <summary>Events received so far (while waiting for replies).</summary>
    public IReadOnlyList<JsonElement> Events => _events;

    public static Task<QmpTestClient> ConnectUnixAsync(string path) =>
        ConnectAsync(() => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path));

    public static Task<QmpTestClient> ConnectTcpAsync(int port) =>
        ConnectAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));

    private static async Task<QmpTestClient> ConnectAsync(Func<Socket> create, System.Net.EndPoint endpoint)
    {
        DateTime deadline = DateTime.UtcNow + DefaultTimeout;
        while (true)
        {
            Socket socket = create();
            try
            {
                await socket.ConnectAsync(endpoint);
                var client = new QmpTestClient(socket);
                client.Greeting = await client.ReadMessageAsync();
                return client;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(50); // the VMM is still starting
            }
        }
    }

    /// <summary>Connects and completes capabilities negotiation.</summary>
    public static async Task<QmpTestClient> ConnectNegotiatedUnixAsync(string path)
    {
        QmpTestClient client = await ConnectUnixAsync(path);
        JsonElement reply = await client.ExecuteAsync("qmp_capabilities");
        Assert.True(reply.TryGetProperty("return", out _), reply.ToString());
        return client;
    }

    /// <summary>Sends bytes as they are (not necessarily UTF-8).</summary>
    public async Task SendBytesAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Closes the connection at once: what the server still sends is refused (RST).</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public async Task SendRawAsync(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next message of any kind; throws at end of stream.</summary>
    public async Task<JsonElement> ReadMessageAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        string? line = await _reader.ReadLineAsync(cts.Token);
        if (line == null)
            throw new EndOfStreamException("the server closed the connection");
        using JsonDocument document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>The next reply (return or error), keeping events that come before it.</summary>
    public async Task<JsonElement> ReadReplyAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            JsonElement message = await ReadMessageAsync(timeout);
            if (message.TryGetProperty("event", out _))
                _events.Add(message);
            else
                return message;
        }
    }

    /// <summary>Sends one command line of raw JSON and returns the reply.</summary>
    public async Task<JsonElement> SendAsync(string json)
    {
        await SendRawAsync(json + "\n");
        return await ReadReplyAsync();
    }

    public Task<JsonElement> ExecuteAsync(string command, object? arguments = null, object? id = null)
    {
        var message = new Dictionary<string, object?> { ["execute"] = command };
        if (arguments != null)
            message["arguments"] = arguments;
        if (id != null)
            message["id"] = id;
        return SendAsync(JsonSerializer.Serialize(message));
    }

    /// <summary>The "return" member of a successful reply; fails the test on an error reply.</summary>
    public async Task<JsonElement> ReturnOfAsync(string command, object? arguments = null)
    {
        JsonElement reply = await ExecuteAsync(command, arguments);
        Assert.True(reply.TryGetProperty("return", out JsonElement value), $"{command}: {reply}");
        return value;
    }

    /// <summary>Runs a human monitor command and returns its text.</summary>
    public async Task<string> HmpAsync(string commandLine) =>
        (await ReturnOfAsync("human-monitor-command", new Dictionary<string, object> { ["command-line"] = commandLine })).GetString()!;

    /// <summary>Waits for an event by name (one already received counts), and removes it from the list.</summary>
    public async Task<JsonElement> WaitForEventAsync(string name, TimeSpan? timeout = null)
    {
        while (true)
        {
            int index = _events.FindIndex(e => e.GetProperty("event").GetString() == name);
            if (index >= 0)
            {
                JsonElement found = _events[index];
                _events.RemoveAt(index);
                return found;
            }
            JsonElement message = await ReadMessageAsync(timeout);
            Assert.True(message.TryGetProperty("event", out _), $"expected event {name}, got {message}");
            _events.Add(message);
        }
    }

    /// <summary>True once the server has closed the connection (reads until end of stream, dropping messages).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            var buffer = new byte[65536];
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                    return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
