using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>Feeds Iced's decoder from a reusable buffer of instruction bytes.</summary>
internal sealed class BufferCodeReader : CodeReader
{
    public byte[] Buffer { get; } = new byte[4096 + 32];

    public int Position { get; set; }

    public int Limit { get; set; }

    public override int ReadByte() => Position < Limit ? Buffer[Position++] : -1;
}
