namespace Emu.Core.Acpi;

/// <summary>
/// A piece of AML (ACPI 6.3, section 20): a term, a data object or a name
/// that knows its own encoding. Trees of nodes are built once when the
/// tables are generated, so the API favours readability over allocation.
/// Integers convert implicitly, so <c>Aml.Package(0, 0, 0, 0)</c> works.
/// </summary>
public abstract class AmlNode
{
    /// <summary>Appends this node's bytecode.</summary>
    public abstract void WriteTo(AmlWriter writer);

    /// <summary>The bytecode of this node alone.</summary>
    public byte[] ToArray()
    {
        var writer = new AmlWriter();
        WriteTo(writer);
        return writer.ToArray();
    }

    public static implicit operator AmlNode(ulong value) => new AmlInteger(value);

    public static implicit operator AmlNode(int value) =>
        value >= 0 ? new AmlInteger((ulong)value) : throw new ArgumentOutOfRangeException(nameof(value), value, "AML integers are unsigned; use Aml.Ones for all ones");
}
