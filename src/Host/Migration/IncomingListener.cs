using System.Net;
using System.Net.Sockets;
using Emu.Core.Posix;

namespace Emu.Host.Migration;

/// <summary>
/// The destination's end of -incoming / migrate-incoming: a socket bound at
/// once (so a source can connect as soon as emu is up; binding errors are
/// start-up errors) that accepts one connection, or a snapshot file.
/// </summary>
internal sealed class IncomingListener : IDisposable
{
    private readonly MigrationUri _uri;
    private readonly Socket? _listener;

    private IncomingListener(MigrationUri uri, Socket? listener)
    {
        _uri = uri;
        _listener = listener;
    }

    public MigrationUri Uri => _uri;

    /// <summary>The TCP port actually bound (for tcp:HOST:0 there is none; QEMU needs a port too).</summary>
    public int? BoundPort => (_listener?.LocalEndPoint as IPEndPoint)?.Port;

    public static IncomingListener Open(MigrationUri uri)
    {
        switch (uri.Kind)
        {
            case MigrationTransportKind.File:
                if (!File.Exists(uri.Path))
                    throw new FileNotFoundException($"{uri}: the snapshot file does not exist", uri.Path);
                return new IncomingListener(uri, null);
            case MigrationTransportKind.Unix:
                // A socket file left by an earlier run would make bind fail; anything else at the path is the user's.
                if (File.Exists(uri.Path) && Qmp.UnixPath.IsSocket(uri.Path))
                    File.Delete(uri.Path);
                return new IncomingListener(uri, UnixSocket.ListenOn(uri.Path, 1));
            default:
            {
                EndPoint endPoint = MigrationTransport.TcpEndPoint(uri);
                var socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    if (endPoint is IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 })
                        socket.DualMode = true;
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    socket.Bind(endPoint is DnsEndPoint dns ? new IPEndPoint(Dns.GetHostAddresses(dns.Host)[0], dns.Port) : endPoint);
                    socket.Listen(1);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                return new IncomingListener(uri, socket);
            }
        }
    }

    /// <summary>Waits for the source (or opens the file).</summary>
    public MigrationTransport Accept()
    {
        if (_listener == null)
            return MigrationTransport.OpenFile(_uri);
        Socket connection = _listener.Accept();
        return MigrationTransport.Accepted(connection, _uri.ToString());
    }

    public void Dispose()
    {
        _listener?.Dispose();
        if (_listener != null && _uri.Kind == MigrationTransportKind.Unix && Qmp.UnixPath.IsSocket(_uri.Path))
        {
            try
            {
                File.Delete(_uri.Path);
            }
            catch (IOException)
            {
                // Someone else's file by now; leave it.
            }
        }
    }
}
