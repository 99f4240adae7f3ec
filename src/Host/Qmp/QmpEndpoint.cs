using System.Globalization;
using Emu.Core.Posix;
using Emu.Host.CommandLine;

namespace Emu.Host.Qmp;

/// <summary>
/// One -qmp option, as QEMU spells it: <c>unix:PATH,server=on,wait=off</c> or
/// <c>tcp:HOST:PORT,server=on,wait=off</c> (also the older <c>server</c> and
/// <c>nowait</c> flags). Only server mode exists here: emu listens, clients
/// connect. With wait=on the machine starts only after the first client has
/// connected.
/// </summary>
internal sealed record QmpEndpoint(QmpEndpointKind Kind, string Address, int Port, bool Wait)
{
    public static QmpEndpoint Parse(string spec)
    {
        QmpEndpointKind kind;
        string rest;
        if (spec.StartsWith("unix:", StringComparison.Ordinal))
        {
            kind = QmpEndpointKind.Unix;
            rest = spec[5..];
        }
        else if (spec.StartsWith("tcp:", StringComparison.Ordinal))
        {
            kind = QmpEndpointKind.Tcp;
            rest = spec[4..];
        }
        else
        {
            throw new CommandLineException($"-qmp {spec}: expected unix:PATH,server=on or tcp:HOST:PORT,server=on");
        }
        KeyValueList options = KeyValueList.Parse(rest, "address");
        string address = options.Take("address") ?? throw new CommandLineException($"-qmp {spec}: missing {(kind == QmpEndpointKind.Unix ? "socket path" : "HOST:PORT")}");
        bool server = ReadSwitch(options, "server", spec) ?? false;
        bool wait = ReadSwitch(options, "wait", spec) ?? true;
        if (options.Take("nowait") is string nowait)
            wait = !ParseSwitch(nowait, "nowait", spec);
        options.EnsureConsumed($"-qmp {spec}");
        if (!server)
            throw new CommandLineException($"-qmp {spec}: only server mode is supported (add server=on)");
        if (kind == QmpEndpointKind.Unix)
        {
            if (UnixSocket.CheckPath(address) is { } problem)
                throw new CommandLineException($"-qmp {spec}: {problem}");
            return new QmpEndpoint(kind, address, 0, wait);
        }
        int colon = address.LastIndexOf(':');
        if (colon < 0)
            throw new CommandLineException($"-qmp {spec}: expected tcp:HOST:PORT");
        string host = address[..colon].Trim('[', ']');
        if (!int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new CommandLineException($"-qmp {spec}: invalid port '{address[(colon + 1)..]}'");
        return new QmpEndpoint(kind, host.Length == 0 ? "0.0.0.0" : host, port, wait);
    }

    private static bool? ReadSwitch(KeyValueList options, string key, string spec) =>
        options.Take(key) is string value ? ParseSwitch(value, key, spec) : null;

    private static bool ParseSwitch(string value, string key, string spec) => value switch
    {
        "on" or "yes" or "true" => true,
        "off" or "no" or "false" => false,
        _ => throw new CommandLineException($"-qmp {spec}: {key} expects on or off, not '{value}'"),
    };

    public override string ToString() => Kind == QmpEndpointKind.Unix ? $"unix:{Address}" : $"tcp:{Address}:{Port}";
}
