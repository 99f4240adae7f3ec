namespace Emu.Core.Acpi;

/// <summary>
/// An integer constant in its shortest encoding (ACPI 6.3, sections 20.2.3
/// and 20.2.5.1): ZeroOp, OneOp, OnesOp for all ones (a table with
/// revision 2 or later has 64-bit integers), else a Byte, Word, DWord or
/// QWord prefix and the value little-endian.
/// </summary>
public sealed class AmlInteger : AmlNode
{
    public AmlInteger(ulong value) => Value = value;

    public ulong Value { get; }

    public override void WriteTo(AmlWriter writer)
    {
        switch (Value)
        {
            case 0:
                writer.Byte(AmlOpcode.Zero);
                break;
            case 1:
                writer.Byte(AmlOpcode.One);
                break;
            case ulong.MaxValue:
                writer.Byte(AmlOpcode.Ones);
                break;
            case <= byte.MaxValue:
                writer.Byte(AmlOpcode.BytePrefix);
                writer.Byte((byte)Value);
                break;
            case <= ushort.MaxValue:
                writer.Byte(AmlOpcode.WordPrefix);
                writer.Word((ushort)Value);
                break;
            case <= uint.MaxValue:
                writer.Byte(AmlOpcode.DWordPrefix);
                writer.DWord((uint)Value);
                break;
            default:
                writer.Byte(AmlOpcode.QWordPrefix);
                writer.QWord(Value);
                break;
        }
    }
}
