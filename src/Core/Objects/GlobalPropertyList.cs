namespace Emu.Core.Objects;

/// <summary>
/// The ordered list of type-wide property defaults. Order is precedence: later
/// entries override earlier ones. The machine builds it as accelerator
/// defaults, then the machine version's compat properties, then -global; an
/// object's own options are applied after all of them.
/// </summary>
public sealed class GlobalPropertyList
{
    private readonly List<GlobalProperty> _entries = new();

    public IReadOnlyList<GlobalProperty> Entries => _entries;

    public void Add(GlobalProperty property) => _entries.Add(property);

    public void AddRange(IEnumerable<GlobalProperty> properties) => _entries.AddRange(properties);

    /// <summary>Applies every matching entry, in order, to a freshly created object.</summary>
    public void ApplyTo(EmuObject obj)
    {
        foreach (GlobalProperty g in _entries)
        {
            if (!obj.Type.IsA(g.TypeName))
                continue;
            PropertyInfo? p = obj.Type.FindProperty(g.Property)
                ?? throw new PropertyValueException($"{g.Source}: type '{g.TypeName}' has no property '{g.Property}'");
            try
            {
                obj.SetValue(p, p.Parse(g.Value));
            }
            catch (PropertyValueException e)
            {
                throw new PropertyValueException($"{g.Source}: {g.TypeName}.{g.Property}: {e.Message}");
            }
        }
        obj.GlobalsApplied = true;
    }

    /// <summary>Checks that each entry names an existing type with that property (for -global, at start-up).</summary>
    public void Validate(TypeRegistry registry)
    {
        foreach (GlobalProperty g in _entries)
        {
            ObjectType type = registry.Find(g.TypeName)
                ?? throw new PropertyValueException($"{g.Source}: unknown type '{g.TypeName}'");
            PropertyInfo p = type.FindProperty(g.Property)
                ?? throw new PropertyValueException($"{g.Source}: type '{g.TypeName}' has no property '{g.Property}'");
            p.Parse(g.Value);
        }
    }
}
