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
    /// <paramref name="kind"/>, e.g. "device") with the given options.
    /// Errors name what the user typed.
    /// </summary>
    public EmuObject Create(string typeName, string kind, string? id, IEnumerable<KeyValuePair<string, string>> options, bool userRequest = true)
    {
        ObjectType type = Registry.Find(typeName)
            ?? throw new PropertyValueException($"'{typeName}' is not a valid {kind} type (use '{kind} help' to list them)");
        if (!type.IsA(kind))
            throw new PropertyValueException($"'{typeName}' is not a {kind}");
        if (type.IsAbstract)
            throw new PropertyValueException($"'{typeName}' is abstract and cannot be created");
        if (userRequest && !type.UserCreatable)
            throw new PropertyValueException($"'{typeName}' cannot be created by the user (the machine creates it)");
        EmuObject obj = type.CreateInstance();
        obj.Id = id;
        Globals.ApplyTo(obj);
        foreach (KeyValuePair<string, string> option in options)
        {
            PropertyInfo property = type.FindProperty(option.Key)
                ?? throw new PropertyValueException($"{typeName}: property '{option.Key}' not found (use '{typeName},help' to list properties)");
            try
            {
                obj.SetValue(property, property.Parse(option.Value));
            }
            catch (PropertyValueException e)
            {
                throw new PropertyValueException($"{typeName}: {e.Message}");
            }
        }
        return obj;
    }
}
