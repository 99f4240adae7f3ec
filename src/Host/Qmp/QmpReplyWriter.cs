using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Emu.Host.Qmp;

/// <summary>
/// Writes the server's messages. Each is one JSON object followed by CR LF,
/// as QEMU ends them: the greeting, <c>{"return": VALUE, "id": ID}</c>,
/// <c>{"error": {"class": C, "desc": D}, "id": ID}</c> and events
/// <c>{"timestamp": {"seconds": S, "microseconds": U}, "event": NAME, "data": {...}}</c>.
/// </summary>
internal static class QmpReplyWriter
{
    // Apostrophes and angle brackets are written as they are ("child<container>"), not as \u escapes.
    private static readonly JsonWriterOptions s_options = new() { SkipValidation = true, Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonWriterOptions Options => s_options;

    public static byte[] Greeting(QmpVersion version) => Build(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("QMP");
        w.WritePropertyName("version");
        version.Write(w);
        w.WriteStartArray("capabilities");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>A success reply around a value already written as JSON.</summary>
    public static byte[] Return(ReadOnlySpan<byte> valueJson, JsonElement? id)
    {
        var buffer = new ArrayBufferWriter<byte>(valueJson.Length + 32);
        using (var w = new Utf8JsonWriter(buffer, s_options))
        {
            w.WriteStartObject();
            w.WritePropertyName("return");
            w.WriteRawValue(valueJson, skipInputValidation: true);
            WriteId(w, id);
            w.WriteEndObject();
        }
        buffer.Write("\r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(string errorClass, string description, JsonElement? id) => Build(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("class", errorClass);
        w.WriteString("desc", description);
        w.WriteEndObject();
        WriteId(w, id);
        w.WriteEndObject();
    });

    public static byte[] Event(string name, DateTimeOffset timestamp, Action<Utf8JsonWriter>? data) => Build(w =>
    {
        long microseconds = (timestamp - DateTimeOffset.UnixEpoch).Ticks / 10;
        w.WriteStartObject();
        w.WriteStartObject("timestamp");
        w.WriteNumber("seconds", microseconds / 1_000_000);
        w.WriteNumber("microseconds", microseconds % 1_000_000);
        w.WriteEndObject();
        w.WriteString("event", name);
        if (data != null)
        {
            w.WriteStartObject("data");
            data(w);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    private static void WriteId(Utf8JsonWriter w, JsonElement? id)
    {
        if (id is JsonElement value)
        {
            w.WritePropertyName("id");
            value.WriteTo(w);
        }
    }

    private static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
            write(writer);
        buffer.Write("\r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
