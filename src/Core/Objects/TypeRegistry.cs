namespace Emu.Core.Objects;

/// <summary>All object types known to the program, by name.</summary>
public sealed class TypeRegistry
{
    private readonly Dictionary<string, ObjectType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    public IEnumerable<ObjectType> Types => _types.Values;

    public void Register(ObjectType type)
    {
        if (type.Parent != null && !_types.ContainsKey(type.Parent.Name))
            throw new InvalidOperationException($"type '{type.Name}' registered before its parent '{type.Parent.Name}'");
        if (!_types.TryAdd(type.Name, type))
            throw new InvalidOperationException($"type '{type.Name}' registered twice");
    }

    /// <summary>
    /// Registers an interface: a name that types list in their interfaces
    /// (e.g. "user-creatable") so that -global and qom-list-types can address
    /// every implementer at once.
    /// </summary>
    public ObjectType RegisterInterface(string name, string description)
    {
        if (!_types.TryGetValue(ObjectType.InterfaceRootName, out ObjectType? root))
        {
            root = new ObjectType(ObjectType.InterfaceRootName, null, null, "Base of interface types");
            _types.Add(root.Name, root);
        }
        var type = new ObjectType(name, root, null, description);
        Register(type);
        return type;
    }

    /// <summary>Registers another name for a type (e.g. "q35" for the newest "q35-X.Y").</summary>
    public void RegisterAlias(string alias, string typeName)
    {
        if (!_types.ContainsKey(typeName))
            throw new InvalidOperationException($"alias '{alias}' names unknown type '{typeName}'");
        _aliases[alias] = typeName;
    }

    public string? AliasTarget(string alias) => _aliases.GetValueOrDefault(alias);

    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    public ObjectType? Find(string name)
    {
        if (_types.TryGetValue(name, out ObjectType? t))
            return t;
        return _aliases.TryGetValue(name, out string? target) ? _types[target] : null;
    }

    /// <summary>Concrete (or all) types that are <paramref name="baseName"/> or implement it, sorted by name.</summary>
    public IEnumerable<ObjectType> TypesOf(string baseName, bool includeAbstract = false) =>
        _types.Values.Where(t => t.IsA(baseName) && (includeAbstract || !t.IsAbstract)).OrderBy(t => t.Name, StringComparer.Ordinal);
}
