namespace Emu.Core.Objects;

/// <summary>
/// Creates objects the one way that applies defaults in the right order:
/// the type's defaults, then the global list (accelerator defaults, machine
/// compat properties, -global), then the object's own options.
/// </summary>
public sealed class ObjectFactory
{
    public ObjectFactory(TypeRegistry registry, GlobalPropertyList globals)
    {
        Registry = registry;
        Globals = globals;
    }

    public TypeRegistry Registry { get; }

    public GlobalPropertyList Globals { get; }

    /// <summary>
    /// Makes an object of <paramref name="typeName"/> (which must be
    /// <paramref name="kind"/>, e.g. "device") with the given options and a
    /// well-formed <paramref name="id"/> (<see cref="ObjectId"/>).
    /// Errors name what the user typed.
    /// </summary>
    public EmuObject Create(string typeName, string kind, string? id, IEnumerable<KeyValuePair<string, string>> options, bool userRequest = true) =>
        Create(typeName, kind, id, options.Select(o => new KeyValuePair<string, PropertyInput>(o.Key, PropertyInput.FromText(o.Value))), userRequest);

    /// <summary>The same, with values that may be text or QMP JSON.</summary>
    public EmuObject Create(string typeName, string kind, string? id, IEnumerable<KeyValuePair<string, PropertyInput>> options, bool userRequest = true)
    {
        if (id != null)
            ObjectId.Check(id);
        ObjectType type = FindCreatable(typeName, kind, userRequest);
        EmuObject obj = type.CreateInstance();
        obj.Id = id;
        Configure(obj, options);
        return obj;
    }

    /// <summary>
    /// Applies the global list, then <paramref name="options"/>, to an object
    /// made elsewhere (the machine and the accelerator are instantiated before
    /// the global list is complete, because they contribute to it).
    /// </summary>
    public void Configure(EmuObject obj, IEnumerable<KeyValuePair<string, PropertyInput>> options)
    {
        Globals.ApplyTo(obj);
        foreach (KeyValuePair<string, PropertyInput> option in options)
        {
            PropertyInfo property = obj.Type.FindProperty(option.Key)
                ?? throw new PropertyValueException($"{obj.Type.Name}: property '{option.Key}' not found (use '{obj.Type.Name},help' to list properties)");
            try
            {
                obj.SetValue(property, option.Value.ConvertFor(property));
            }
            catch (PropertyValueException e)
            {
                throw new PropertyValueException($"{obj.Type.Name}: {e.Message}");
            }
        }
    }

    /// <summary>The type a user asked for, checked to be a creatable <paramref name="kind"/>.</summary>
    public ObjectType FindCreatable(string typeName, string kind, bool userRequest = true)
    {
        ObjectType type = Registry.Find(typeName)
            ?? throw new PropertyValueException($"'{typeName}' is not a valid {kind} type");
        if (!type.IsA(kind))
            throw new PropertyValueException($"'{typeName}' is not a {kind}");
        if (type.IsAbstract)
            throw new PropertyValueException($"'{typeName}' is abstract and cannot be created");
        if (userRequest && !type.UserCreatable)
            throw new PropertyValueException($"'{typeName}' cannot be created by the user (the machine creates it)");
        return type;
    }
}
