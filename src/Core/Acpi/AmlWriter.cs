using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// A growable byte buffer that AML nodes encode themselves into. AML stores
/// multi-byte integers little-endian (ACPI 6.3, section 20.2.3).
/// </summary>
public sealed class AmlWriter
{
    private readonly List<byte> _bytes = new();

    public int Length => _bytes.Count;

    public void Byte(byte value) => _bytes.Add(value);

    public void Bytes(ReadOnlySpan<byte> values)
    {
        foreach (byte b in values)
            _bytes.Add(b);
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

    public void Node(AmlNode node) => node.WriteTo(this);

    public void Nodes(IEnumerable<AmlNode> nodes)
    {
        foreach (AmlNode node in nodes)
            node.WriteTo(this);
    }

    public byte[] ToArray() => _bytes.ToArray();
}
