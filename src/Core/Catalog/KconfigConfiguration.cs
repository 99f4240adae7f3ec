using Emu.Core.Objects;

namespace Emu.Core.Catalog;

/// <summary>
/// A resolved configuration: which symbols a machine has on and why. It
/// answers whether a device type may be used on that machine, and if not, why.
/// </summary>
public sealed class KconfigConfiguration
{
    private readonly Dictionary<string, bool> _values;
    private readonly Dictionary<string, string> _reasons;
    private readonly HashSet<string> _disabled;

    internal KconfigConfiguration(KconfigCatalog catalog, KconfigSymbol board, Dictionary<string, bool> values, Dictionary<string, string> reasons, HashSet<string> disabled)
    {
        Catalog = catalog;
        Board = board;
        _values = values;
        _reasons = reasons;
        _disabled = disabled;
    }

    public KconfigCatalog Catalog { get; }

    public KconfigSymbol Board { get; }

    public bool IsEnabled(string symbol) => _values.GetValueOrDefault(symbol);

    /// <summary>The enabled symbols in catalog order.</summary>
    public IEnumerable<string> EnabledSymbols => Catalog.Symbols.Where(s => IsEnabled(s.Name)).Select(s => s.Name);

    /// <summary>Why a symbol is on or off ("selected by Q35", "off because it depends on PCI (PCI=n)"...).</summary>
    public string ReasonFor(string symbol) => _reasons.GetValueOrDefault(symbol) ?? "not in the catalog";

    /// <summary>True when the type's symbol (its own or an ancestor's) is enabled.</summary>
    public bool IsAvailable(ObjectType type) => Catalog.SymbolFor(type) is { } symbol && IsEnabled(symbol.Name);

    /// <summary>Throws a one-line explanation when <paramref name="type"/> cannot be used on this machine.</summary>
    public void RequireAvailable(ObjectType type, string machineName)
    {
        KconfigSymbol symbol = Catalog.SymbolFor(type)
            ?? throw new KconfigException($"'{type.Name}' is not in the device catalog, so no machine offers it");
        if (!IsEnabled(symbol.Name))
            throw new KconfigException($"'{type.Name}' is not available on machine '{machineName}': {symbol.Name} is {ReasonFor(symbol.Name)}");
    }
}
