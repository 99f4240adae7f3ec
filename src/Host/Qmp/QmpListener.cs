using System.Net;
using System.Net.Sockets;
using Emu.Core.Posix;

namespace Emu.Host.Qmp;

/// <summary>
/// A bound, listening QMP socket. Binding happens at start-up, before the
/// machine is built, so that a bad address is a one-line start-up error.
/// A UNIX socket path that already exists is refused, unless it is a socket
/// nobody listens on any more (left by a VMM that died), which is replaced;
/// the path is removed again when the listener closes.
/// </summary>
internal sealed class QmpListener : IDisposable
{
    private const int Backlog = 16;

    private readonly Socket _socket;
    private bool _disposed;

    private QmpListener(QmpEndpoint endpoint, Socket socket)
    {
        Endpoint = endpoint;
        _socket = socket;
    }

    public QmpEndpoint Endpoint { get; }

    /// <summary>The port actually bound (for tcp with port 0).</summary>
    public int BoundPort => (_socket.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    public static QmpListener Bind(QmpEndpoint endpoint)
    {
        Socket socket;
        if (endpoint.Kind == QmpEndpointKind.Unix)
        {
            RefuseExistingPath(endpoint.Address);
            try
            {
                socket = UnixSocket.ListenOn(endpoint.Address, Backlog);
            }
            catch (PosixException e)
            {
                throw new IOException($"-qmp {endpoint}: cannot bind: {LibC.ErrorText(e.Errno)}");
            }
            return new QmpListener(endpoint, socket);
        }
        else
        {
            IPAddress address = ResolveHost(endpoint);
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(address, endpoint.Port));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new IOException($"-qmp {endpoint}: cannot bind: {e.Message}");
            }
        }
        socket.Listen(Backlog);
        return new QmpListener(endpoint, socket);
    }

    private static IPAddress ResolveHost(QmpEndpoint endpoint)
    {
        if (IPAddress.TryParse(endpoint.Address, out IPAddress? address))
            return address;
        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(endpoint.Address);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new IOException($"-qmp {endpoint}: cannot resolve host '{endpoint.Address}'");
        }
    }

    // A path that exists is an error unless it is a dead socket.
    private static void RefuseExistingPath(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path) && !UnixPath.IsSocket(path))
            return;
        if (UnixPath.IsSocket(path))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                File.Delete(path); // nobody listens: a leftover of a process that is gone
                return;
            }
            throw new IOException($"-qmp unix:{path}: the socket is in use by another process");
        }
        throw new IOException($"-qmp unix:{path}: the path exists and is not a socket (remove it or choose another path)");
    }

    public Task<Socket> AcceptAsync(CancellationToken cancellationToken) => _socket.AcceptAsync(cancellationToken).AsTask();

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _socket.Dispose();
        if (Endpoint.Kind == QmpEndpointKind.Unix)
        {
            try
            {
                File.Delete(Endpoint.Address);
            }
            catch (IOException)
            {
            }
        }
    }
}
