using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.Chardev;
using Emu.Host.CommandLine;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Composition;

/// <summary>
/// Turns -chardev and -serial arguments into character backends. Only one
/// backend may use stdio.
/// </summary>
internal sealed class ChardevFactory
{
    private readonly ObjectFactory _objects;
    private readonly Machine _machine;
    private readonly ILogger _logger;
    private bool _stdioTaken;

    public ChardevFactory(ObjectFactory objects, Machine machine, ILoggerFactory loggers)
    {
        _objects = objects;
        _machine = machine;
        _logger = loggers.CreateLogger("chardev");
    }

    /// <summary>-chardev BACKEND,id=ID,...</summary>
    public Chardev Create(KeyValueList kv)
    {
        string backend = kv.Take("backend") ?? throw new CommandLineException($"-chardev '{kv}': missing backend");
        string id = kv.Take("id") ?? throw new CommandLineException($"-chardev '{kv}': missing id=");
        return Create(backend, id, kv.Pairs, $"-chardev {kv}");
    }

    /// <summary>-serial DEV, returning the backend (null for "none").</summary>
    public Chardev? CreateForSerial(string spec, int index)
    {
        string id = $"serial{index}";
        if (spec == "none")
            return null;
        if (spec is "stdio" or "mon:stdio")
            return Create("stdio", id, Array.Empty<KeyValuePair<string, string>>(), $"-serial {spec}");
        if (spec == "null")
            return Create("null", id, Array.Empty<KeyValuePair<string, string>>(), $"-serial {spec}");
        if (spec.StartsWith("chardev:", StringComparison.Ordinal))
        {
            string existing = spec["chardev:".Length..];
            return _machine.Backends.GetValueOrDefault(existing) as Chardev
                ?? throw new CommandLineException($"-serial {spec}: chardev '{existing}' not found");
        }
        if (spec.StartsWith("file:", StringComparison.Ordinal))
            return Create("file", id, new[] { Pair("path", spec[5..]) }, $"-serial {spec}");
        if (spec.StartsWith("unix:", StringComparison.Ordinal))
        {
            KeyValueList kv = KeyValueList.Parse(spec[5..], "path");
            return Create("socket", id, kv.Pairs, $"-serial {spec}");
        }
        if (spec.StartsWith("tcp:", StringComparison.Ordinal))
        {
            KeyValueList kv = KeyValueList.Parse(spec[4..], "address");
            string address = kv.Take("address")!;
            int colon = address.LastIndexOf(':');
            if (colon < 0)
                throw new CommandLineException($"-serial {spec}: expected tcp:HOST:PORT");
            var pairs = new List<KeyValuePair<string, string>> { Pair("host", address[..colon]), Pair("port", address[(colon + 1)..]) };
            pairs.AddRange(kv.Pairs);
            return Create("socket", id, pairs, $"-serial {spec}");
        }
        throw new CommandLineException($"-serial {spec}: unsupported character device (stdio, null, none, file:, unix:, tcp:, chardev:)");
    }

    private Chardev Create(string backend, string id, IReadOnlyList<KeyValuePair<string, string>> options, string what)
    {
        CommandLineChecks.Id(what, id);
        string typeName = "chardev-" + backend;
        if (backend == "stdio")
        {
            if (_stdioTaken)
                throw new CommandLineException($"{what}: stdio is already used by another character device");
            _stdioTaken = true;
        }
        // The older spelling: a bare "nowait" means wait=off.
        var settings = options.Select(p => p.Key == "nowait" ? Pair("wait", "off") : p).ToList();
        Chardev chardev;
        try
        {
            chardev = (Chardev)_objects.Create(typeName, "chardev", id, settings);
        }
        catch (PropertyValueException e) when (_objects.Registry.Find(typeName) == null)
        {
            throw new CommandLineException($"{what}: unsupported chardev backend '{backend}' ({e.Message})");
        }
        try
        {
            switch (chardev)
            {
                case FileChardev file:
                    file.Open();
                    break;
                case SocketChardev socket:
                    socket.Open();
                    break;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or PropertyValueException)
        {
            chardev.Dispose();
            throw new CommandLineException($"{what}: {e.Message}");
        }
        chardev.Logger = _logger;
        _machine.Own(chardev);
        _machine.RegisterBackend(id, chardev);
        return chardev;
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);
}
