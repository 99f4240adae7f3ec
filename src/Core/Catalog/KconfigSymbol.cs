namespace Emu.Core.Catalog;

/// <summary>
/// One "config SYMBOL" stanza: a board, device, bus, subsystem or device
/// group, with its <c>depends on</c>, <c>select</c>, <c>imply</c> and
/// <c>default</c> directives, and (an addition to Kconfig) the object types it
/// stands for, so that the catalog can say whether a device type is
/// available on a machine.
/// </summary>
public sealed class KconfigSymbol
{
    public KconfigSymbol(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    /// <summary>Line of the "config" keyword, for error messages.</summary>
    public int Line { get; }

    /// <summary>What must be enabled for this symbol to be on (y when nothing is required).</summary>
    public KconfigExpression DependsOn { get; set; } = KconfigExpression.True;

    public List<KconfigReverseDependency> Selects { get; } = new();

    public List<KconfigReverseDependency> Implies { get; } = new();

    public List<KconfigDefault> Defaults { get; } = new();

    /// <summary>Object types (boards, devices) this symbol enables.</summary>
    public List<string> Types { get; } = new();

    public override string ToString() => Name;
}
