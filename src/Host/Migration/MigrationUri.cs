using System.Globalization;
using Emu.Core.Posix;

namespace Emu.Host.Migration;

/// <summary>
/// Where a migration stream goes or comes from, in QEMU's URI syntax:
/// <c>unix:PATH</c>, <c>tcp:HOST:PORT</c> (an IPv6 host in brackets; an empty
/// or 0 host listens everywhere on the incoming side), <c>file:PATH</c> with an
/// optional <c>,offset=N</c>. Other schemes (exec:, rdma:, fd:) are refused by name.
/// </summary>
internal sealed record MigrationUri(MigrationTransportKind Kind, string Path, string Host, int Port, long Offset)
{
    public static MigrationUri Parse(string uri)
    {
        int colon = uri.IndexOf(':');
        if (colon <= 0)
            throw new FormatException($"'{uri}' is not a migration URI (unix:PATH, tcp:HOST:PORT or file:PATH)");
        string scheme = uri[..colon];
        string rest = uri[(colon + 1)..];
        switch (scheme)
        {
            case "unix":
                if (UnixSocket.CheckPath(rest) is { } problem)
                    throw new FormatException($"'{uri}': {problem}");
                return new MigrationUri(MigrationTransportKind.Unix, rest, "", 0, 0);
            case "tcp":
                return ParseTcp(uri, rest);
            case "file":
                return ParseFile(uri, rest);
            case "exec" or "rdma" or "fd" or "vsock":
                throw new FormatException($"'{uri}': emu does not migrate over {scheme}: (use unix:, tcp: or file:)");
            default:
                throw new FormatException($"'{uri}': unknown migration protocol '{scheme}' (unix:, tcp:, file:)");
        }
    }

    private static MigrationUri ParseTcp(string uri, string rest)
    {
        string host;
        string port;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']');
            if (close < 0 || close + 1 >= rest.Length || rest[close + 1] != ':')
                throw new FormatException($"'{uri}': an IPv6 host is written [ADDRESS]:PORT");
            host = rest[1..close];
            port = rest[(close + 2)..];
        }
        else
        {
            int last = rest.LastIndexOf(':');
            if (last < 0)
                throw new FormatException($"'{uri}': tcp: needs HOST:PORT");
            host = rest[..last];
            port = rest[(last + 1)..];
        }
        int comma = port.IndexOf(',');
        if (comma >= 0)
            throw new FormatException($"'{uri}': options after the port ({port[(comma + 1)..]}) are not supported");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
            throw new FormatException($"'{uri}': '{port}' is not a port number (1-65535)");
        return new MigrationUri(MigrationTransportKind.Tcp, "", host, number, 0);
    }

    private static MigrationUri ParseFile(string uri, string rest)
    {
        long offset = 0;
        int comma = rest.LastIndexOf(",offset=", StringComparison.Ordinal);
        if (comma >= 0)
        {
            string text = rest[(comma + 8)..];
            bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!long.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0)
                throw new FormatException($"'{uri}': offset '{text}' is not a non-negative number");
            rest = rest[..comma];
        }
        if (rest.Length == 0)
            throw new FormatException($"'{uri}': file: needs a path");
        return new MigrationUri(MigrationTransportKind.File, rest, "", 0, offset);
    }

    public override string ToString() => Kind switch
    {
        MigrationTransportKind.Unix => $"unix:{Path}",
        MigrationTransportKind.Tcp => Host.Contains(':') ? $"tcp:[{Host}]:{Port}" : $"tcp:{Host}:{Port}",
        _ => Offset == 0 ? $"file:{Path}" : $"file:{Path},offset={Offset}",
    };
}
