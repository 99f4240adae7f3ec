using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>Iced's encoder output, byte by byte, into a <see cref="CodeEmitter"/>'s current position.</summary>
internal sealed class EmitterCodeWriter : CodeWriter
{
    private readonly CodeEmitter _owner;

    public EmitterCodeWriter(CodeEmitter owner) => _owner = owner;

    public override void WriteByte(byte value) => _owner.Byte(value);
}
