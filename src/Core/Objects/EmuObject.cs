namespace Emu.Core.Objects;

/// <summary>
/// An instance of the object model: typed property values, an optional id,
/// and a place in the object tree (/machine, /machine/peripheral/&lt;id&gt;,
/// /objects/&lt;id&gt;). Values are set before the object is realized; only
/// properties declared mutable may change afterwards.
/// </summary>
public abstract class EmuObject
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmuObject> _children = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    protected EmuObject(ObjectType type)
    {
        Type = type;
        foreach (PropertyInfo p in type.Properties)
            _values[p.Name] = p.DefaultValue;
    }

    public ObjectType Type { get; }

    /// <summary>The user's id (-device ...,id=disk0), if any.</summary>
    public string? Id { get; set; }

    public EmuObject? Parent { get; private set; }

    /// <summary>Name of this object under its parent.</summary>
    public string? Name { get; private set; }

    /// <summary>True once the global list (accelerator defaults, compat properties, -global) has been applied.</summary>
    public bool GlobalsApplied { get; internal set; }

    /// <summary>Set once the object has been made live (device realized, backend opened).</summary>
    public bool IsRealized { get; protected set; }

    public IReadOnlyDictionary<string, EmuObject> Children
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, EmuObject>(_children);
        }
    }

    /// <summary>The path from the root, e.g. "/machine/peripheral/disk0".</summary>
    public string CanonicalPath
    {
        get
        {
            if (Parent == null)
                return Name == null ? "/" : "/" + Name;
            string parent = Parent.CanonicalPath;
            return (parent == "/" ? "" : parent) + "/" + Name;
        }
    }

    public void AddChild(string name, EmuObject child)
    {
        if (name.Length == 0 || name.Contains('/'))
            throw new ArgumentException($"invalid child name '{name}'", nameof(name));
        lock (_lock)
        {
            if (child.Parent != null)
                throw new InvalidOperationException($"'{child.CanonicalPath}' already has a parent");
            if (!_children.TryAdd(name, child))
                throw new InvalidOperationException($"'{CanonicalPath}' already has a child '{name}'");
            child.Parent = this;
            child.Name = name;
        }
    }

    public bool RemoveChild(string name)
    {
        lock (_lock)
        {
            if (!_children.Remove(name, out EmuObject? child))
                return false;
            child.Parent = null;
            child.Name = null;
            return true;
        }
    }

    public EmuObject? FindChild(string name)
    {
        lock (_lock)
            return _children.GetValueOrDefault(name);
    }

    /// <summary>Resolves a canonical path ("/machine/peripheral/x") or a path relative to this object.</summary>
    public EmuObject? Resolve(string path)
    {
        EmuObject? current = this;
        if (path.StartsWith('/'))
        {
            while (current.Parent != null)
                current = current.Parent;
        }
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current.FindChild(part);
            if (current == null)
                return null;
        }
        return current;
    }

    public T Get<T>(Property<T> property)
    {
        lock (_lock)
            return (T)_values[property.Name]!;
    }

    public object? GetValue(PropertyInfo property)
    {
        lock (_lock)
            return _values[property.Name];
    }

    public void Set<T>(Property<T> property, T value) => SetValue(property, value);

    /// <summary>Sets a property from a typed value (already parsed).</summary>
    public void SetValue(PropertyInfo property, object? value)
    {
        if (Type.FindProperty(property.Name) != property)
            throw new PropertyValueException($"Property '{Type.Name}.{property.Name}' not found");
        if (IsRealized && !property.Mutable)
            throw new PropertyValueException($"Property '{property.Name}' of '{Type.Name}' cannot be changed while it is in use");
        object? previous;
        lock (_lock)
        {
            previous = _values[property.Name];
            _values[property.Name] = value;
        }
        if (IsRealized)
        {
            try
            {
                OnPropertyChanged(property, value);
            }
            catch
            {
                lock (_lock)
                    _values[property.Name] = previous;
                throw;
            }
        }
    }

    /// <summary>Sets a property by name from command-line text.</summary>
    public void SetText(string name, string text)
    {
        PropertyInfo property = Type.FindProperty(name)
            ?? throw new PropertyValueException($"Property '{Type.Name}.{name}' not found");
        SetValue(property, property.Parse(text));
    }

    /// <summary>Called when a mutable property changes after realize; throw to refuse the value.</summary>
    protected virtual void OnPropertyChanged(PropertyInfo property, object? value)
    {
    }

    public override string ToString() => Id != null ? $"{Type.Name} '{Id}'" : Type.Name;
}
