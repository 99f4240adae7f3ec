namespace Emu.Core.Objects;

/// <summary>A plain node of the object tree ("/machine/peripheral", "/objects"...).</summary>
public sealed class ContainerObject : EmuObject
{
    public static readonly ObjectType TypeInfo = new("container", null, t => new ContainerObject(t), "A node of the object tree that holds other objects");

    public ContainerObject(ObjectType type) : base(type)
    {
    }

    public static ContainerObject Create() => new(TypeInfo);
}
