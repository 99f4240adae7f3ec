namespace Emu.Core.Acpi;

/// <summary>Raw bytes inside a term: a ByteData field such as MethodFlags, or a buffer's ByteList.</summary>
public sealed class AmlBytes : AmlNode
{
    private readonly byte[] _bytes;

    public AmlBytes(params byte[] bytes) => _bytes = bytes;

    public override void WriteTo(AmlWriter writer) => writer.Bytes(_bytes);
}
