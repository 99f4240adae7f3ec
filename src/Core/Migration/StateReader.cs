using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Emu.Core.Migration;

/// <summary>
/// Reads the payload of one section (the format of <see cref="StateWriter"/>).
/// The payload comes from another process, so it is hostile: the whole
/// payload is parsed and checked before any field is handed out (a truncated
/// field, a bad type or name, a duplicate), every read checks the field's
/// type and the caller's bounds, and <see cref="EnsureAllRead"/> refuses
/// fields this build does not know. Every failure is a
/// <see cref="MigrationException"/> that names the section and the field.
/// </summary>
public sealed class StateReader
{
    private readonly byte[] _payload;
    private readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public StateReader(string section, byte[] payload, uint version = 0)
    {
        Section = section;
        Version = version;
        _payload = payload;
        Parse();
    }

    /// <summary>The section being read.</summary>
    public string Section { get; }

    /// <summary>The section version the source wrote.</summary>
    public uint Version { get; }

    public int FieldCount => _fields.Count;

    /// <summary>The names of the fields in the payload, in the order they were written.</summary>
    public IEnumerable<string> FieldNames => _fields.OrderBy(f => f.Value.Offset).Select(f => f.Key);

    private readonly record struct Field(StateFieldType Type, int Offset, int Length);

    private void Parse()
    {
        int at = 0;
        while (at < _payload.Length)
        {
            if (_payload.Length - at < 2)
                throw Error("the payload ends inside a field header");
            var type = (StateFieldType)_payload[at];
            int nameLength = _payload[at + 1];
            at += 2;
            if (nameLength == 0 || _payload.Length - at < nameLength)
                throw Error("the payload ends inside a field name");
            string name = Encoding.ASCII.GetString(_payload, at, nameLength);
            if (!StateWriter.IsValidName(name))
                throw Error($"a field name has characters outside printable ASCII ('{Printable(name)}')");
            at += nameLength;
            int size = type switch
            {
                StateFieldType.U8 or StateFieldType.Bool => 1,
                StateFieldType.U16 => 2,
                StateFieldType.U32 => 4,
                StateFieldType.U64 => 8,
                StateFieldType.Bytes => 4,
                _ => throw Error($"field '{name}' has unknown type {(byte)type}"),
            };
            if (_payload.Length - at < size)
                throw Error($"field '{name}' is truncated");
            int offset = at;
            int length = size;
            if (type == StateFieldType.Bytes)
            {
                uint count = BinaryPrimitives.ReadUInt32LittleEndian(_payload.AsSpan(at));
                offset = at + 4;
                if (count > (uint)(_payload.Length - offset))
                    throw Error($"field '{name}' claims {count} bytes, more than the payload holds");
                length = (int)count;
                size = 4 + length;
            }
            if (type == StateFieldType.Bool && _payload[offset] > 1)
                throw Error($"field '{name}' is a boolean with value {_payload[offset]}");
            if (!_fields.TryAdd(name, new Field(type, offset, length)))
                throw Error($"field '{name}' appears twice");
            at += size;
        }
    }

    private static string Printable(string s) => new(s.Select(c => c is > ' ' and <= '~' ? c : '?').ToArray());

    private MigrationException Error(string what) => new($"{Section}: {what}");

    /// <summary>The type of field <paramref name="name"/>, or null when the payload has no such field.</summary>
    public StateFieldType? TypeOf(string name) => _fields.TryGetValue(name, out Field f) ? f.Type : null;

    /// <summary>A field's value as its bytes (little-endian numbers, or the byte string), whatever its type.</summary>
    public ReadOnlySpan<byte> ReadRaw(string name) =>
        Get(name, TypeOf(name) ?? throw Error($"field '{name}' is missing from the stream"));

    /// <summary>Whether the source wrote <paramref name="name"/> (a field added in a later version may be absent).</summary>
    public bool Has(string name) => _fields.ContainsKey(name);

    private ReadOnlySpan<byte> Get(string name, StateFieldType type)
    {
        if (!_fields.TryGetValue(name, out Field f))
            throw Error($"field '{name}' is missing from the stream");
        if (f.Type != type)
            throw Error($"field '{name}' is a {f.Type}, expected a {type}");
        _read.Add(name);
        return _payload.AsSpan(f.Offset, f.Length);
    }

    public byte ReadU8(string name) => Get(name, StateFieldType.U8)[0];

    public ushort ReadU16(string name) => BinaryPrimitives.ReadUInt16LittleEndian(Get(name, StateFieldType.U16));

    public uint ReadU32(string name) => BinaryPrimitives.ReadUInt32LittleEndian(Get(name, StateFieldType.U32));

    public ulong ReadU64(string name) => BinaryPrimitives.ReadUInt64LittleEndian(Get(name, StateFieldType.U64));

    public long ReadI64(string name) => (long)ReadU64(name);

    public bool ReadBool(string name) => Get(name, StateFieldType.Bool)[0] != 0;

    /// <summary>A U8 field that must not exceed <paramref name="max"/>.</summary>
    public byte ReadU8(string name, byte max) => (byte)CheckRange(name, ReadU8(name), max);

    /// <summary>A U16 field that must not exceed <paramref name="max"/>.</summary>
    public ushort ReadU16(string name, ushort max) => (ushort)CheckRange(name, ReadU16(name), max);

    /// <summary>A U32 field that must not exceed <paramref name="max"/>.</summary>
    public uint ReadU32(string name, uint max) => (uint)CheckRange(name, ReadU32(name), max);

    /// <summary>A U64 field that must not exceed <paramref name="max"/>.</summary>
    public ulong ReadU64(string name, ulong max) => CheckRange(name, ReadU64(name), max);

    private ulong CheckRange(string name, ulong value, ulong max)
    {
        if (value > max)
            throw Error($"field '{name}' = {value} is out of range (at most {max})");
        return value;
    }

    /// <summary>A byte string of any length.</summary>
    public ReadOnlySpan<byte> ReadBytes(string name) => Get(name, StateFieldType.Bytes);

    /// <summary>A byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(string name, int maxLength)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name);
        if (bytes.Length > maxLength)
            throw Error($"field '{name}' has {bytes.Length} bytes, at most {maxLength} are allowed");
        return bytes;
    }

    /// <summary>A byte string that must fill <paramref name="destination"/> exactly.</summary>
    public void ReadBytes(string name, Span<byte> destination)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name);
        if (bytes.Length != destination.Length)
            throw Error($"field '{name}' has {bytes.Length} bytes, expected {destination.Length}");
        bytes.CopyTo(destination);
    }

    public void ReadU64Array(string name, Span<ulong> destination)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name);
        if (bytes.Length != destination.Length * 8)
            throw Error($"field '{name}' has {bytes.Length / 8.0} values, expected {destination.Length}");
        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i * 8));
    }

    public void ReadU32Array(string name, Span<uint> destination)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name);
        if (bytes.Length != destination.Length * 4)
            throw Error($"field '{name}' has {bytes.Length / 4.0} values, expected {destination.Length}");
        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(i * 4));
    }

    public void ReadU16Array(string name, Span<ushort> destination)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name);
        if (bytes.Length != destination.Length * 2)
            throw Error($"field '{name}' has {bytes.Length / 2.0} values, expected {destination.Length}");
        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2));
    }

    /// <summary>UTF-8 text of at most <paramref name="maxBytes"/> bytes; invalid UTF-8 is refused.</summary>
    public string ReadString(string name, int maxBytes)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(name, maxBytes);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw Error($"field '{name}' is not valid UTF-8");
        }
    }

    /// <summary>A blittable struct written by <see cref="StateWriter.WriteStruct"/>; every bit pattern must be a valid value of it.</summary>
    public T ReadStruct<T>(string name) where T : unmanaged
    {
        T value = default;
        ReadBytes(name, MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>
    /// Refuses fields the loading code did not read: they are state this build
    /// does not know, and loading without them would silently lose it. (A
    /// source migrating to an older build leaves such fields out through the
    /// machine type's compat properties.)
    /// </summary>
    public void EnsureAllRead()
    {
        foreach (string name in FieldNames)
        {
            if (!_read.Contains(name))
                throw Error($"field '{name}' is not known to this build (is the destination older than the source, with a machine type that has that field?)");
        }
    }

    /// <summary>Marks a field as deliberately ignored (state the destination recomputes).</summary>
    public void Skip(string name)
    {
        if (_fields.ContainsKey(name))
            _read.Add(name);
    }
}
