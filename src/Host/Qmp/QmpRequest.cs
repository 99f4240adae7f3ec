using System.Text.Json;

namespace Emu.Host.Qmp;

/// <summary>
/// A parsed QMP command message: <c>{"execute": NAME, "arguments": {...}, "id": ANY}</c>.
/// The JSON document stays alive until the command is done with it.
/// </summary>
internal sealed class QmpRequest : IDisposable
{
    private readonly JsonDocument _document;

    private QmpRequest(JsonDocument document, string command, JsonElement? arguments, JsonElement? id)
    {
        _document = document;
        Command = command;
        Arguments = arguments;
        Id = id;
    }

    public string Command { get; }

    /// <summary>The "arguments" object, when given.</summary>
    public JsonElement? Arguments { get; }

    /// <summary>The "id" value, echoed in the reply.</summary>
    public JsonElement? Id { get; }

    /// <summary>
    /// Parses and checks the outer structure, as QEMU does. On failure returns
    /// null with the error text; <paramref name="id"/> is still set when the
    /// message was an object with an id, so the error reply can carry it
    /// (the caller disposes <paramref name="document"/>).
    /// </summary>
    public static QmpRequest? Parse(byte[] message, out string? error, out JsonElement? id, out JsonDocument? document)
    {
        id = null;
        document = null;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = QmpMessageFramer.MaxDepth + 1 });
        }
        catch (JsonException e)
        {
            error = "JSON parse error, " + Describe(e, message);
            return null;
        }
        JsonElement root = document.RootElement;
        // RFC 8259 section 8.1: JSON text is UTF-8. The reader checks the
        // structure but decodes strings only when asked, so a name or value
        // that is not valid UTF-8 (or escapes half a surrogate pair, "\ud800")
        // would throw deep inside a command instead: refuse it here, as QEMU's
        // parser does, with the message's id.
        if (FindInvalidString(root, 0) is { } bad)
        {
            id = FindIdSafely(root);
            error = $"JSON parse error, invalid UTF-8 or UTF-16 in {bad}";
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "QMP input must be a JSON object";
            return null;
        }
        if (root.TryGetProperty("id", out JsonElement idElement))
            id = idElement;
        string? command = null;
        JsonElement? arguments = null;
        foreach (JsonProperty member in root.EnumerateObject())
        {
            switch (member.Name)
            {
                case "execute":
                    if (member.Value.ValueKind != JsonValueKind.String)
                    {
                        error = "QMP input member 'execute' must be a string";
                        return null;
                    }
                    command = member.Value.GetString();
                    break;
                case "arguments":
                    if (member.Value.ValueKind != JsonValueKind.Object)
                    {
                        error = "QMP input member 'arguments' must be an object";
                        return null;
                    }
                    arguments = member.Value;
                    break;
                case "id":
                    break;
                case "exec-oob":
                    error = "QMP input member 'exec-oob' is unexpected: out-of-band execution is not offered (see the greeting's capabilities)";
                    return null;
                default:
                    error = $"QMP input member '{member.Name}' is unexpected";
                    return null;
            }
        }
        if (command == null)
        {
            error = "QMP input lacks member 'execute'";
            return null;
        }
        error = null;
        var request = new QmpRequest(document, command, arguments, id);
        document = null; // owned by the request now
        return request;
    }

    // The first member name or string that does not decode, described, or null.
    // Depth is bounded by the framer (QmpMessageFramer.MaxDepth).
    private static string? FindInvalidString(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element) ? null : "a string";
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (FindInvalidString(item, depth + 1) is { } bad)
                        return bad;
                }
                return null;
            case JsonValueKind.Object:
                foreach (JsonProperty member in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = member.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return "a member name";
                    }
                    if (FindInvalidString(member.Value, depth + 1) is { } bad)
                        return depth == 0 ? $"member '{name}'" : bad;
                }
                return null;
            default:
                return null;
        }
    }

    // The "id" of a message that has an undecodable name or string somewhere,
    // if it can be found and echoed. TryGetProperty would decode every name
    // on the way (and throw on the bad one): the names are compared one by one.
    private static JsonElement? FindIdSafely(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;
        foreach (JsonProperty member in root.EnumerateObject())
        {
            try
            {
                if (member.NameEquals("id"u8))
                    return FindInvalidString(member.Value, 1) == null ? member.Value : null;
            }
            catch (InvalidOperationException)
            {
            }
        }
        return null;
    }

    private static bool Decodes(JsonElement text)
    {
        try
        {
            text.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // Where the JSON went wrong, in the user's terms (the runtime's own texts are trimmed from emu).
    private static string Describe(JsonException e, byte[] message)
    {
        long line = e.LineNumber ?? 0, column = e.BytePositionInLine ?? 0;
        int offset = 0;
        for (long l = 0; l < line && offset < message.Length; offset++)
        {
            if (message[offset] == '\n')
                l++;
        }
        offset += (int)column;
        if (offset >= message.Length)
            return "the message ends early";
        char c = (char)message[offset];
        string what = c is >= ' ' and < (char)0x7F ? $"'{c}'" : $"byte 0x{message[offset]:x2}";
        return $"unexpected {what} at line {line + 1}, column {column + 1}";
    }

    public void Dispose() => _document.Dispose();
}
