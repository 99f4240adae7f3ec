using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>Iced's encoder output, collected in memory.</summary>
internal sealed class ByteWriter : CodeWriter
{
    private readonly List<byte> _bytes = [];

    public override void WriteByte(byte value) => _bytes.Add(value);

    public byte[] ToArray() => _bytes.ToArray();
}
