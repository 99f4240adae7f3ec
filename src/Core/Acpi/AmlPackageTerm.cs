namespace Emu.Core.Acpi;

/// <summary>
/// A term whose opcode is followed by a PkgLength covering everything after
/// the opcode: Scope, Device, Method, If, Else, Buffer and Package
/// (ACPI 6.3, section 20.2.5). The body is encoded first so its length is known.
/// </summary>
public sealed class AmlPackageTerm : AmlNode
{
    private readonly byte[] _opcode;
    private readonly AmlNode[] _body;

    public AmlPackageTerm(byte[] opcode, params AmlNode[] body)
    {
        _opcode = opcode;
        _body = body;
    }

    public override void WriteTo(AmlWriter writer)
    {
        var body = new AmlWriter();
        body.Nodes(_body);
        writer.Bytes(_opcode);
        AmlPackageLength.Write(writer, body.Length);
        writer.Bytes(body.ToArray());
    }
}
