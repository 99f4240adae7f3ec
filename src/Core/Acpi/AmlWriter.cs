namespace Emu.Core.Acpi;

/// <summary>
/// The buffer AML nodes encode themselves into. AML stores multi-byte
/// integers little-endian (ACPI 6.3, section 20.2.3).
/// </summary>
public sealed class AmlWriter : LittleEndianWriter
{
    public void Node(AmlNode node) => node.WriteTo(this);

    public void Nodes(IEnumerable<AmlNode> nodes)
    {
        foreach (AmlNode node in nodes)
            node.WriteTo(this);
    }
}
