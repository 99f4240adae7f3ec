namespace Emu.Core.Acpi;

/// <summary>A sequence of terms encoded back to back, such as the body of a definition block.</summary>
public sealed class AmlTermList : AmlNode
{
    private readonly List<AmlNode> _terms = new();

    public AmlTermList(params IEnumerable<AmlNode> terms) => _terms.AddRange(terms);

    public int Count => _terms.Count;

    public AmlTermList Add(AmlNode term)
    {
        _terms.Add(term);
        return this;
    }

    public override void WriteTo(AmlWriter writer) => writer.Nodes(_terms);
}
