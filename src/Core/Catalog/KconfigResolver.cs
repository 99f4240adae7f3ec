namespace Emu.Core.Catalog;

/// <summary>
/// Computes a configuration by iterating to a fixed point. A symbol is on
/// when it is the board, when an enabled symbol selects it (with its
/// condition true), or, unless the user disabled it or its dependencies are
/// false, when an enabled symbol implies it or its first applicable default
/// is y. Then every enabled symbol's <c>depends on</c> must hold: a selected
/// symbol whose dependencies are off is a contradiction, reported with the
/// chain that selected it.
/// </summary>
internal static class KconfigResolver
{
    public static KconfigConfiguration Resolve(KconfigCatalog catalog, KconfigSymbol board, IReadOnlyCollection<string> disabled)
    {
        foreach (string name in disabled)
        {
            if (catalog.Find(name) == null)
                throw new KconfigException($"cannot disable {name}: no such symbol in the catalog");
        }
        var disabledSet = new HashSet<string>(disabled, StringComparer.Ordinal);
        var values = new Dictionary<string, bool>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        bool IsOn(string name) => values.GetValueOrDefault(name);

        // Enough rounds for any chain of monotone steps; more means negations make it oscillate.
        int limit = catalog.Symbols.Count * 2 + 4;
        bool changed = true;
        for (int round = 0; changed; round++)
        {
            if (round > limit)
                throw new KconfigException($"the configuration of {board.Name} does not settle (conflicting negated dependencies)");
            changed = false;
            foreach (KconfigSymbol symbol in catalog.Symbols)
            {
                (bool value, string reason) = Decide(catalog, symbol, board, disabledSet, IsOn);
                if (value != IsOn(symbol.Name))
                {
                    values[symbol.Name] = value;
                    changed = true;
                }
                reasons[symbol.Name] = reason;
            }
        }

        foreach (KconfigSymbol symbol in catalog.Symbols)
        {
            if (!IsOn(symbol.Name))
                continue;
            if (!symbol.DependsOn.Evaluate(IsOn))
            {
                throw new KconfigException(
                    $"contradiction: {symbol.Name} is {reasons[symbol.Name]}, but it depends on {symbol.DependsOn}, " +
                    $"which is false ({Describe(symbol.DependsOn, IsOn)})");
            }
            if (disabledSet.Contains(symbol.Name))
                throw new KconfigException($"contradiction: {symbol.Name} cannot be disabled, it is {reasons[symbol.Name]}");
        }
        return new KconfigConfiguration(catalog, board, values, reasons, disabledSet);
    }

    private static (bool Value, string Reason) Decide(KconfigCatalog catalog, KconfigSymbol symbol, KconfigSymbol board, HashSet<string> disabled, Func<string, bool> isOn)
    {
        if (symbol == board)
            return (true, "the machine's board");
        foreach (KconfigSymbol other in catalog.Symbols)
        {
            if (!isOn(other.Name))
                continue;
            foreach (KconfigReverseDependency select in other.Selects)
            {
                if (select.Target == symbol.Name && select.Condition.Evaluate(isOn))
                    return (true, $"selected by {other.Name}");
            }
        }
        if (disabled.Contains(symbol.Name))
            return (false, "disabled");
        if (!symbol.DependsOn.Evaluate(isOn))
            return (false, $"off because it depends on {symbol.DependsOn} ({Describe(symbol.DependsOn, isOn)})");
        foreach (KconfigSymbol other in catalog.Symbols)
        {
            if (!isOn(other.Name))
                continue;
            foreach (KconfigReverseDependency imply in other.Implies)
            {
                if (imply.Target == symbol.Name && imply.Condition.Evaluate(isOn))
                    return (true, $"implied by {other.Name}");
            }
        }
        foreach (KconfigDefault d in symbol.Defaults)
        {
            if (d.Condition.Evaluate(isOn))
                return (d.Value, d.Value ? (d.Condition == KconfigExpression.True ? "on by default" : $"on by default because {d.Condition}") : "off by default");
        }
        return (false, "not selected or implied by the machine");
    }

    /// <summary>"PCI=y, VIRTIO=n": the values of the symbols in an expression.</summary>
    internal static string Describe(KconfigExpression expression, Func<string, bool> isOn) =>
        string.Join(", ", expression.Symbols().Distinct().Select(s => $"{s}={(isOn(s) ? "y" : "n")}"));
}
