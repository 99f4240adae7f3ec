using System.Buffers.Binary;
using System.Text;

namespace Emu.Core.Migration;

/// <summary>
/// The destination's answer on a socket transport, after the End record: it
/// has loaded everything and its guest runs (or waits for cont), or it refused
/// the stream, with why. The source completes only on a yes; anything else
/// (a no, a closed socket, garbage) fails the migration and the source runs
/// on. Format: "EMRP", a status byte (0 loaded, 1 refused), a u16 length and
/// that many bytes of UTF-8 message.
/// </summary>
public static class MigrationReturnPath
{
    private static ReadOnlySpan<byte> Magic => "EMRP"u8;

    public const int MaxMessageBytes = 4096;

    public static void WriteReply(Stream output, bool loaded, string message)
    {
        byte[] text = Encoding.UTF8.GetBytes(message);
        int length = Math.Min(text.Length, MaxMessageBytes);
        byte[] reply = new byte[7 + length];
        Magic.CopyTo(reply);
        reply[4] = loaded ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(5), (ushort)length);
        text.AsSpan(0, length).CopyTo(reply.AsSpan(7));
        output.Write(reply);
        output.Flush();
    }

    /// <summary>Waits for the destination's answer; a refusal or a broken return path is a <see cref="MigrationException"/>.</summary>
    public static void ReadReply(Stream input)
    {
        Span<byte> header = stackalloc byte[7];
        try
        {
            input.ReadExactly(header);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            throw new MigrationException("the destination closed the connection without saying whether it loaded the VM", e);
        }
        if (!header.Slice(0, 4).SequenceEqual(Magic) || header[4] > 1)
            throw new MigrationException("the destination's answer is not an emu migration reply");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(5));
        if (length > MaxMessageBytes)
            throw new MigrationException("the destination's answer is too long");
        byte[] text = new byte[length];
        try
        {
            input.ReadExactly(text);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException)
        {
            throw new MigrationException("the destination's answer was cut short", e);
        }
        if (header[4] != 0)
            throw new MigrationException($"the destination refused the VM: {Encoding.UTF8.GetString(text)}");
    }
}
