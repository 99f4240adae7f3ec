namespace Emu.Core.Acpi;

/// <summary>
/// A string constant (ACPI 6.3, section 20.2.3): StringPrefix, ASCII
/// characters 0x01-0x7F, and a NUL terminator.
/// </summary>
public sealed class AmlString : AmlNode
{
    public AmlString(string value)
    {
        foreach (char c in value)
        {
            if (c is < '\u0001' or > '\u007F')
                throw new ArgumentException($"AML strings hold ASCII 0x01-0x7F only; '{value}' has U+{(int)c:X4}", nameof(value));
        }
        Value = value;
    }

    public string Value { get; }

    public override void WriteTo(AmlWriter writer)
    {
        writer.Byte(AmlOpcode.StringPrefix);
        foreach (char c in Value)
            writer.Byte((byte)c);
        writer.Byte(0);
    }
}
