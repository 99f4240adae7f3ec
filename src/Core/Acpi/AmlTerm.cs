namespace Emu.Core.Acpi;

/// <summary>
/// A term with fixed-length encoding: opcode bytes followed by its operands
/// in order (for example StoreOp TermArg SuperName, or LocalN alone).
/// </summary>
public sealed class AmlTerm : AmlNode
{
    private readonly byte[] _opcode;
    private readonly AmlNode[] _operands;

    public AmlTerm(byte[] opcode, params AmlNode[] operands)
    {
        _opcode = opcode;
        _operands = operands;
    }

    public override void WriteTo(AmlWriter writer)
    {
        writer.Bytes(_opcode);
        writer.Nodes(_operands);
    }
}
