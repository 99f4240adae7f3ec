using System.Net;
using System.Net.Sockets;
using Emu.Core.Objects;

namespace Emu.Devices.Chardev;

/// <summary>
/// A listening socket (unix path or TCP host:port); one client at a time gets
/// the guest's output and sends its input. Output while no client is
/// connected is dropped, as with QEMU's server=on,wait=off.
/// </summary>
public sealed class SocketChardev : Chardev
{
    public static readonly StringProperty PathProperty = new("path", null, "Unix socket path to listen on");
    public static readonly StringProperty HostProperty = new("host", null, "TCP address to listen on");
    public static readonly IntegerProperty PortProperty = IntegerProperty.UInt16("port", 0, "TCP port to listen on");
    public static readonly BoolProperty ServerProperty = new("server", true, "Listen for a client (only server mode is supported)");
    public static readonly BoolProperty WaitProperty = new("wait", false, "Wait for a client before starting (only wait=off is supported)");

    public static new readonly ObjectType TypeInfo = new("chardev-socket", Chardev.TypeInfo, t => new SocketChardev(t), "Serve a unix or TCP socket",
        new PropertyInfo[] { PathProperty, HostProperty, PortProperty, ServerProperty, WaitProperty }, userCreatable: true);

    private readonly object _clientLock = new();
    private Socket? _listener;
    private Socket? _client;
    private Thread? _acceptThread;

    public SocketChardev(ObjectType type) : base(type)
    {
    }

    /// <summary>The endpoint actually bound (useful with port=0).</summary>
    public EndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    public void Open()
    {
        if (!Get(ServerProperty))
            throw new PropertyValueException("chardev socket: only server=on is supported");
        if (Get(WaitProperty))
            throw new PropertyValueException("chardev socket: only wait=off is supported");
        string? path = Get(PathProperty);
        Socket listener;
        if (path != null)
        {
            if (File.Exists(path) || Directory.Exists(path))
                throw new IOException($"socket path '{path}' already exists");
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
        }
        else
        {
            string host = Get(HostProperty) ?? "127.0.0.1";
            IPAddress address = host.Length == 0 ? IPAddress.Any : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : Dns.GetHostAddresses(host)[0];
            listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, (int)Get(PortProperty)));
        }
        listener.Listen(1);
        _listener = listener;
        IsRealized = true;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = $"chardev-{Id}" };
        _acceptThread.Start();
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (_clientLock)
        {
            if (_client == null)
                return;
            try
            {
                while (!data.IsEmpty)
                    data = data.Slice(_client.Send(data));
            }
            catch (SocketException)
            {
                _client.Dispose();
                _client = null;
            }
            catch (ObjectDisposedException)
            {
                _client = null;
            }
        }
    }

    private void AcceptLoop()
    {
        byte[] buffer = new byte[1024];
        while (!IsDisposed)
        {
            Socket client;
            try
            {
                client = _listener!.Accept();
            }
            catch (Exception) when (IsDisposed)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            lock (_clientLock)
                _client = client;
            try
            {
                while (true)
                {
                    int n = client.Receive(buffer);
                    if (n <= 0 || !DeliverAll(buffer.AsSpan(0, n)))
                        break;
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            lock (_clientLock)
            {
                if (_client == client)
                    _client = null;
            }
            client.Dispose();
        }
    }

    protected override void Close()
    {
        string? path = Get(PathProperty);
        _listener?.Dispose();
        lock (_clientLock)
        {
            _client?.Dispose();
            _client = null;
        }
        if (path != null && _listener != null)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Left behind; the next start reports that the path exists.
            }
        }
    }
}
