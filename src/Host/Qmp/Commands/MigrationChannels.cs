using System.Text.Json;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// migrate's and migrate-incoming's address: "uri", or "channels" (QEMU 8.2's
/// structured form, one channel of type "main": a socket of type unix or
/// inet, or a file), exactly one of the two.
/// </summary>
internal static class MigrationChannels
{
    public static string UriOf(QmpArguments arguments)
    {
        bool hasUri = arguments.Has("uri");
        bool hasChannels = arguments.Has("channels");
        if (hasUri == hasChannels)
            throw new QmpException("need either 'uri' or 'channels' argument");
        if (hasUri)
            return arguments.GetString("uri");
        JsonElement channels = arguments.Get("channels");
        if (channels.GetArrayLength() != 1)
            throw new QmpException("Channel list has more than one entries");
        JsonElement channel = channels[0];
        if (channel.ValueKind != JsonValueKind.Object || Text(channel, "channel-type") != "main" || !channel.TryGetProperty("addr", out JsonElement addr) || addr.ValueKind != JsonValueKind.Object)
            throw new QmpException("Parameter 'channels' expects one channel with \"channel-type\": \"main\" and an \"addr\" object");
        return Text(addr, "transport") switch
        {
            "socket" => Text(addr, "type") switch
            {
                "unix" => $"unix:{Required(addr, "path")}",
                "inet" => $"tcp:{Required(addr, "host")}:{Required(addr, "port")}",
                string other => throw new QmpException($"socket type '{other}' is not supported for migration (unix, inet)"),
                null => throw new QmpException("Parameter 'type' is missing"),
            },
            "file" => OffsetOf(addr) is { } offset and not "0" ? $"file:{Required(addr, "filename")},offset={offset}" : $"file:{Required(addr, "filename")}",
            string other => throw new QmpException($"migration transport '{other}' is not supported (socket, file)"),
            null => throw new QmpException("Parameter 'transport' is missing"),
        };
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Required(JsonElement obj, string name) => Text(obj, name) ?? throw new QmpException($"Parameter '{name}' is missing");

    private static string? OffsetOf(JsonElement addr) => addr.TryGetProperty("offset", out JsonElement value)
        ? value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString()
        : null;
}
