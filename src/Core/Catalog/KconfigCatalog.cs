using Emu.Core.Objects;

namespace Emu.Core.Catalog;

/// <summary>
/// The catalog of boards, devices and the buses and subsystems they need,
/// with Kconfig's semantics (QEMU's docs/devel/kconfig.rst): <c>depends on</c>
/// forces a symbol off while its expression is false, <c>select</c> forces
/// another symbol on (and a contradiction with its <c>depends on</c> is an
/// error, as in QEMU and unlike Linux), <c>imply</c> and <c>default</c>
/// switch symbols on unless something says otherwise. QEMU evaluates this
/// at build time; here a machine's configuration is resolved when the
/// machine starts, from its board symbol, and decides which device types
/// that machine offers.
/// </summary>
public sealed class KconfigCatalog
{
    private readonly Dictionary<string, KconfigSymbol> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KconfigSymbol> _byType = new(StringComparer.Ordinal);
    private readonly List<KconfigSymbol> _order = new();

    public KconfigCatalog(IEnumerable<KconfigSymbol> symbols)
    {
        foreach (KconfigSymbol symbol in symbols)
        {
            if (!_symbols.TryAdd(symbol.Name, symbol))
                throw new KconfigException($"symbol {symbol.Name} is declared twice");
            _order.Add(symbol);
            foreach (string type in symbol.Types)
            {
                if (!_byType.TryAdd(type, symbol))
                    throw new KconfigException($"type '{type}' belongs to both {_byType[type].Name} and {symbol.Name}");
            }
        }
        foreach (KconfigSymbol symbol in _order)
        {
            IEnumerable<string> mentioned = symbol.DependsOn.Symbols()
                .Concat(symbol.Selects.Concat(symbol.Implies).SelectMany(r => r.Condition.Symbols().Append(r.Target)))
                .Concat(symbol.Defaults.SelectMany(d => d.Condition.Symbols()));
            foreach (string name in mentioned)
            {
                if (!_symbols.ContainsKey(name))
                    throw new KconfigException($"{symbol.Name} (line {symbol.Line}) refers to undeclared symbol {name}");
            }
        }
    }

    public static KconfigCatalog Parse(string text, string source) => new(KconfigParser.Parse(text, source));

    public IReadOnlyList<KconfigSymbol> Symbols => _order;

    public KconfigSymbol? Find(string name) => _symbols.GetValueOrDefault(name);

    /// <summary>
    /// The symbol that stands for <paramref name="type"/>: its own, or else the
    /// nearest ancestor's (a version of q35 is the Q35 board; a device type
    /// without a stanza of its own inherits its base type's dependencies).
    /// </summary>
    public KconfigSymbol? SymbolFor(ObjectType type)
    {
        for (ObjectType? t = type; t != null; t = t.Parent)
        {
            if (_byType.TryGetValue(t.Name, out KconfigSymbol? symbol))
                return symbol;
        }
        return null;
    }

    /// <summary>True when the type has a stanza of its own (not only through an ancestor).</summary>
    public bool Declares(ObjectType type) => _byType.ContainsKey(type.Name);

    /// <summary>Checks that every type named in a stanza exists in <paramref name="registry"/>.</summary>
    public void CheckTypes(TypeRegistry registry)
    {
        foreach ((string type, KconfigSymbol symbol) in _byType)
        {
            if (registry.Find(type) == null)
                throw new KconfigException($"{symbol.Name} names type '{type}', which is not registered");
        }
    }

    /// <summary>
    /// Resolves the configuration of a machine whose board type is
    /// <paramref name="board"/>; <paramref name="disabled"/> are symbols the
    /// user switched off. Throws <see cref="KconfigException"/> on a contradiction.
    /// </summary>
    public KconfigConfiguration Resolve(ObjectType board, IReadOnlyCollection<string>? disabled = null)
    {
        KconfigSymbol symbol = SymbolFor(board)
            ?? throw new KconfigException($"machine type '{board.Name}' is not in the device catalog");
        return KconfigResolver.Resolve(this, symbol, disabled ?? Array.Empty<string>());
    }
}
