namespace Emu.Core.Objects;

/// <summary>
/// A type of the object model: name, parent, interfaces, declared properties,
/// and how to make an instance. Devices, backends, the accelerator and the
/// machine are all object types, so compat and -global properties reach all of them.
/// </summary>
public sealed class ObjectType
{
    private readonly Func<ObjectType, EmuObject>? _factory;
    private readonly Dictionary<string, PropertyInfo> _properties = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interfaces = new(StringComparer.Ordinal);

    public ObjectType(
        string name,
        ObjectType? parent,
        Func<ObjectType, EmuObject>? factory,
        string description,
        IEnumerable<PropertyInfo>? properties = null,
        IEnumerable<string>? interfaces = null,
        bool userCreatable = false)
    {
        Name = name;
        Parent = parent;
        _factory = factory;
        Description = description;
        UserCreatable = userCreatable;
        OwnProperties = properties?.ToArray() ?? Array.Empty<PropertyInfo>();
        if (parent != null)
        {
            foreach (PropertyInfo p in parent.Properties)
                _properties[p.Name] = p;
            _interfaces.UnionWith(parent._interfaces);
        }
        foreach (PropertyInfo p in OwnProperties)
        {
            if (!_properties.TryAdd(p.Name, p))
                throw new ArgumentException($"type '{name}' declares property '{p.Name}' twice (or over its parent's)");
        }
        if (interfaces != null)
            _interfaces.UnionWith(interfaces);
    }

    public string Name { get; }

    public ObjectType? Parent { get; }

    public string Description { get; }

    /// <summary>An abstract type has no factory: it only groups subtypes.</summary>
    public bool IsAbstract => _factory == null;

    /// <summary>Users may create it with -device / -object / device_add.</summary>
    public bool UserCreatable { get; }

    public IReadOnlyList<PropertyInfo> OwnProperties { get; }

    /// <summary>All properties, inherited ones included.</summary>
    public IEnumerable<PropertyInfo> Properties => _properties.Values;

    public IReadOnlyCollection<string> Interfaces => _interfaces;

    /// <summary>An interface type: abstract, only implemented by other types (qom-list-types lists it as abstract).</summary>
    public bool IsInterface => Parent?.Name == InterfaceRootName;

    /// <summary>The root of all interface types, as in QEMU ("interface").</summary>
    public const string InterfaceRootName = "interface";

    public PropertyInfo? FindProperty(string name) => _properties.GetValueOrDefault(name);

    /// <summary>True when this type is <paramref name="typeOrInterface"/>, derives from it, or implements it.</summary>
    public bool IsA(string typeOrInterface)
    {
        if (_interfaces.Contains(typeOrInterface))
            return true;
        for (ObjectType? t = this; t != null; t = t.Parent)
        {
            if (t.Name == typeOrInterface)
                return true;
        }
        return false;
    }

    public bool IsA(ObjectType other) => IsA(other.Name);

    /// <summary>Makes an instance with every property at its default.</summary>
    public EmuObject CreateInstance()
    {
        if (_factory == null)
            throw new InvalidOperationException($"type '{Name}' is abstract");
        EmuObject obj = _factory(this);
        if (!ReferenceEquals(obj.Type, this))
            throw new InvalidOperationException($"factory of '{Name}' made an object of type '{obj.Type.Name}'");
        return obj;
    }

    public override string ToString() => Name;
}
