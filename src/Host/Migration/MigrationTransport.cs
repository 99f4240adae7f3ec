using System.Net;
using System.Net.Sockets;

namespace Emu.Host.Migration;

/// <summary>
/// An open migration stream: the buffered data stream, and on a socket the
/// same connection unbuffered for the destination's answer (the return path).
/// Disposing it closes everything; that is also how a cancel ends a blocked write.
/// </summary>
internal sealed class MigrationTransport : IDisposable
{
    // Runs of data pages at least this long pass through the buffer without a copy (the
    // stream writer and reader hand them over in one piece): 16 pages.
    private const int BufferSize = 64 * 1024;

    private readonly Stream _raw;
    private int _disposed;

    private MigrationTransport(Stream raw, bool socket, string description)
    {
        _raw = raw;
        Data = new BufferedStream(raw, BufferSize);
        Reply = socket ? raw : null;
        Description = description;
    }

    /// <summary>The stream records are written to or read from.</summary>
    public Stream Data { get; }

    /// <summary>The unbuffered socket for the answer after End; null for a file.</summary>
    public Stream? Reply { get; }

    public string Description { get; }

    /// <summary>Connects to a destination (or creates the snapshot file).</summary>
    public static MigrationTransport Connect(MigrationUri uri)
    {
        switch (uri.Kind)
        {
            case MigrationTransportKind.File:
            {
                var file = new FileStream(uri.Path, uri.Offset == 0 ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
                if (uri.Offset != 0)
                {
                    file.SetLength(uri.Offset);
                    file.Position = uri.Offset;
                }
                return new MigrationTransport(file, socket: false, uri.ToString());
            }
            case MigrationTransportKind.Unix:
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(uri.Path));
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                return new MigrationTransport(new NetworkStream(socket, ownsSocket: true), socket: true, uri.ToString());
            }
            default:
            {
                var client = new TcpClient { NoDelay = true };
                try
                {
                    client.Connect(uri.Host.Length == 0 || uri.Host == "0" ? "localhost" : uri.Host, uri.Port);
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
                Socket socket = client.Client;
                return new MigrationTransport(new NetworkStream(socket, ownsSocket: true), socket: true, uri.ToString());
            }
        }
    }

    /// <summary>Wraps an accepted connection of an incoming migration.</summary>
    public static MigrationTransport Accepted(Socket socket, string description)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
            socket.NoDelay = true;
        return new MigrationTransport(new NetworkStream(socket, ownsSocket: true), socket: true, description);
    }

    /// <summary>Opens a snapshot file to load.</summary>
    public static MigrationTransport OpenFile(MigrationUri uri)
    {
        var file = new FileStream(uri.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (uri.Offset > 0)
            file.Position = uri.Offset;
        return new MigrationTransport(file, socket: false, uri.ToString());
    }

    public static EndPoint TcpEndPoint(MigrationUri uri) =>
        uri.Host.Length == 0 || uri.Host == "0"
            ? new IPEndPoint(IPAddress.IPv6Any, uri.Port)
            : IPAddress.TryParse(uri.Host, out IPAddress? address)
                ? new IPEndPoint(address, uri.Port)
                : new DnsEndPoint(uri.Host, uri.Port);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            Data.Dispose();
        }
        catch (IOException)
        {
            // Flushing into a broken connection: it is being closed anyway.
        }
        _raw.Dispose();
    }
}
