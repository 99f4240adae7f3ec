using System.Net;
using System.Net.Sockets;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>
/// A listening socket (unix path or TCP host:port); one client at a time gets
/// the guest's output and sends its input. Output while no client is
/// connected is dropped, as with QEMU's server=on,wait=off; output a
/// connected client does not read is buffered up to 64 KiB, then dropped and
/// counted (<see cref="Chardev.DroppedBytes"/>), so the guest never waits for it.
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
            if (UnixSocket.CheckPath(path) is { } problem)
                throw new PropertyValueException($"chardev socket: {problem}");
            if (File.Exists(path) || Directory.Exists(path))
                throw new IOException($"socket path '{path}' already exists");
            try
            {
                listener = UnixSocket.ListenOn(path, 1);
            }
            catch (PosixException e)
            {
                throw new IOException($"cannot listen on '{path}': {LibC.ErrorText(e.Errno)}");
            }
        }
        else
        {
            string host = Get(HostProperty) ?? "127.0.0.1";
            IPAddress address = host.Length == 0 ? IPAddress.Any : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : ResolveHost(host);
            listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(address, (int)Get(PortProperty)));
                listener.Listen(1);
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new IOException($"cannot listen on {host}:{Get(PortProperty)}: {e.Message}");
            }
        }
        _listener = listener;
        IsRealized = true;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = $"chardev-{Id}" };
        _acceptThread.Start();
    }

    private static IPAddress ResolveHost(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new IOException($"host '{host}' has no address");
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new IOException($"cannot resolve host '{host}': {e.Message}");
        }
    }

    public override string Describe() => Get(PathProperty) is { } path
        ? $"unix:{path},server=on"
        : $"tcp:{Get(HostProperty) ?? "127.0.0.1"}:{(_listener?.LocalEndPoint as IPEndPoint)?.Port ?? Get(PortProperty)},server=on";

    // A client that stops reading must not hold the guest: 64 KiB (the default) are kept for it, the rest is dropped.
    protected override TimeSpan DrainTimeout => TimeSpan.FromMilliseconds(500);

    // On the writer thread. Output while no client is connected is discarded (QEMU's wait=off).
    protected override bool WriteOut(ReadOnlySpan<byte> data)
    {
        Socket? client = Volatile.Read(ref _client);
        if (client == null)
            return true;
        try
        {
            while (!data.IsEmpty)
                data = data.Slice(client.Send(data));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client left: the accept loop sees it too and waits for the next one.
            lock (_clientLock)
            {
                if (_client == client)
                    _client = null;
            }
        }
        return true;
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
