using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// A growable byte buffer with little-endian integer writes: both ACPI table
/// fields and AML integers are little-endian (ACPI 6.3, sections 5.2 and 20.2.3).
/// </summary>
public abstract class LittleEndianWriter
{
    private readonly List<byte> _bytes;

    protected LittleEndianWriter(int capacity = 256) => _bytes = new List<byte>(capacity);

    public int Length => _bytes.Count;

    public void Byte(byte value) => _bytes.Add(value);

    public void Bytes(ReadOnlySpan<byte> values)
    {
        foreach (byte b in values)
            _bytes.Add(b);
    }

    public void Zeros(int count)
    {
        for (int i = 0; i < count; i++)
            _bytes.Add(0);
    }

    public void Word(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        Bytes(b);
    }

    public void DWord(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Bytes(b);
    }

    public void QWord(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Bytes(b);
    }

    public virtual byte[] ToArray() => _bytes.ToArray();
}
