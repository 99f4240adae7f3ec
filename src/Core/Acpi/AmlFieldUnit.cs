namespace Emu.Core.Acpi;

/// <summary>A NamedField of a FieldList: its four-character NameSeg, then its width in bits encoded as a PkgLength.</summary>
internal sealed class AmlFieldUnit : AmlNode
{
    private readonly string _name;
    private readonly int _bits;

    public AmlFieldUnit(string paddedName, int bits)
    {
        _name = paddedName;
        _bits = bits;
    }

    public override void WriteTo(AmlWriter writer)
    {
        foreach (char c in _name)
            writer.Byte((byte)c);
        AmlPackageLength.WriteValue(writer, _bits);
    }
}
