using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Emu.Core.Migration;

/// <summary>
/// Writes the payload of one section of the state stream: a sequence of
/// named, typed fields. A field is [type: u8][name length: u8][name: ASCII]
/// [value], the value little-endian of the type's size, or for byte strings a
/// u32 length and the bytes. Names are unique within a section.
///
/// Naming fields, rather than relying on their order, is what lets the state
/// of a device grow: a field added later is written only when the machine
/// type's compat properties ask for it, so a stream for an older machine
/// version holds exactly the fields an older build knows, and a destination
/// refuses a field it does not know rather than misreading the ones after it.
/// </summary>
public sealed class StateWriter
{
    /// <summary>The longest field name.</summary>
    public const int MaxNameLength = 255;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The section this payload belongs to (for error messages).</summary>
    public StateWriter(string section) => Section = section;

    public string Section { get; }

    /// <summary>The payload written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public int FieldCount => _names.Count;

    public void WriteU8(string name, byte value) => Fixed(name, StateFieldType.U8, 1)[0] = value;

    public void WriteU16(string name, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Fixed(name, StateFieldType.U16, 2), value);

    public void WriteU32(string name, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Fixed(name, StateFieldType.U32, 4), value);

    public void WriteU64(string name, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Fixed(name, StateFieldType.U64, 8), value);

    /// <summary>A signed value, as its two's complement in a U64 field.</summary>
    public void WriteI64(string name, long value) => WriteU64(name, (ulong)value);

    public void WriteBool(string name, bool value) => Fixed(name, StateFieldType.Bool, 1)[0] = value ? (byte)1 : (byte)0;

    public void WriteBytes(string name, ReadOnlySpan<byte> value)
    {
        Span<byte> length = Fixed(name, StateFieldType.Bytes, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)value.Length);
        _buffer.Write(value);
    }

    /// <summary>An array of 64-bit values, as a byte string of 8 bytes each, little-endian.</summary>
    public void WriteU64Array(string name, ReadOnlySpan<ulong> values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        WriteBytes(name, bytes);
    }

    /// <summary>An array of 32-bit values, 4 bytes each, little-endian.</summary>
    public void WriteU32Array(string name, ReadOnlySpan<uint> values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        WriteBytes(name, bytes);
    }

    /// <summary>An array of 16-bit values, 2 bytes each, little-endian.</summary>
    public void WriteU16Array(string name, ReadOnlySpan<ushort> values)
    {
        byte[] bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        WriteBytes(name, bytes);
    }

    /// <summary>Writes a field as it was read (its type and value bytes), e.g. to pass a payload through with one field changed.</summary>
    public void WriteRaw(string name, StateFieldType type, ReadOnlySpan<byte> value)
    {
        if (type == StateFieldType.Bytes)
        {
            WriteBytes(name, value);
            return;
        }
        int size = type switch
        {
            StateFieldType.U8 or StateFieldType.Bool => 1,
            StateFieldType.U16 => 2,
            StateFieldType.U32 => 4,
            StateFieldType.U64 => 8,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        if (value.Length != size)
            throw new ArgumentException($"a {type} field has {size} bytes, not {value.Length}", nameof(value));
        value.CopyTo(Fixed(name, type, size));
    }

    /// <summary>Text as UTF-8 bytes.</summary>
    public void WriteString(string name, string value) => WriteBytes(name, Encoding.UTF8.GetBytes(value));

    /// <summary>A blittable value (a struct of plain fields) as its bytes.</summary>
    public void WriteStruct<T>(string name, in T value) where T : unmanaged =>
        WriteBytes(name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    // Writes the header and returns the space for a fixed-size value.
    private Span<byte> Fixed(string name, StateFieldType type, int size)
    {
        CheckName(name);
        if (!_names.Add(name))
            throw new InvalidOperationException($"{Section}: field '{name}' written twice");
        Span<byte> header = _buffer.GetSpan(2 + name.Length);
        header[0] = (byte)type;
        header[1] = (byte)name.Length;
        Encoding.ASCII.GetBytes(name, header.Slice(2));
        _buffer.Advance(2 + name.Length);
        Span<byte> value = _buffer.GetSpan(size).Slice(0, size);
        _buffer.Advance(size);
        return value;
    }

    /// <summary>Field and section names: 1-255 printable ASCII characters, no spaces.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
            return false;
        foreach (char c in name)
        {
            if (c is <= ' ' or > '~')
                return false;
        }
        return true;
    }

    private void CheckName(string name)
    {
        if (!IsValidName(name))
            throw new ArgumentException($"{Section}: '{name}' is not a valid field name", nameof(name));
    }
}
