using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>An encoder output that keeps nothing: for asking Iced whether an instruction can be encoded.</summary>
internal sealed class DiscardingCodeWriter : CodeWriter
{
    public override void WriteByte(byte value)
    {
    }
}
