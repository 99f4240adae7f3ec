namespace Emu.Core.Catalog;

/// <summary>
/// Reads the catalog's Kconfig text: the subset of the Kconfig language that
/// QEMU uses (docs/devel/kconfig.rst), one stanza per symbol:
/// <code>
/// # comment
/// config VIRTIO_BLK_PCI
///     bool
///     type "virtio-blk-pci"
///     default y if PCI_DEVICES
///     depends on PCI &amp;&amp; VIRTIO
///     select VIRTIO_BLK
///     imply SOMETHING if OTHER
/// </code>
/// <c>type "NAME"</c> is ours: it names an object type the symbol enables.
/// Several <c>depends on</c> lines are and-ed, as in Kconfig.
/// </summary>
public static class KconfigParser
{
    public static IReadOnlyList<KconfigSymbol> Parse(string text, string source)
    {
        var symbols = new List<KconfigSymbol>();
        KconfigSymbol? current = null;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            string line = StripComment(lines[i]).Trim();
            if (line.Length == 0)
                continue;
            (string keyword, string rest) = SplitWord(line);
            try
            {
                if (keyword == "config")
                {
                    if (!IsSymbolName(rest))
                        throw new KconfigException($"'{rest}' is not a symbol name (letters, digits, underscores)");
                    if (symbols.Any(s => s.Name == rest))
                        throw new KconfigException($"symbol {rest} is declared twice");
                    current = new KconfigSymbol(rest, lineNumber);
                    symbols.Add(current);
                    continue;
                }
                if (current == null)
                    throw new KconfigException($"'{keyword}' outside a config stanza");
                switch (keyword)
                {
                    case "bool":
                        break;
                    case "type":
                        current.Types.Add(Unquote(rest));
                        break;
                    case "depends":
                        (string on, string expression) = SplitWord(rest);
                        if (on != "on")
                            throw new KconfigException("expected 'depends on EXPRESSION'");
                        KconfigExpression dependency = KconfigExpression.Parse(expression);
                        current.DependsOn = current.DependsOn == KconfigExpression.True ? dependency : KconfigExpression.And(current.DependsOn, dependency);
                        break;
                    case "select":
                        current.Selects.Add(ParseReverse(rest));
                        break;
                    case "imply":
                        current.Implies.Add(ParseReverse(rest));
                        break;
                    case "default":
                        (string value, string condition) = SplitCondition(rest);
                        if (value is not ("y" or "n"))
                            throw new KconfigException($"a default is y or n, not '{value}'");
                        current.Defaults.Add(new KconfigDefault(value == "y", condition.Length == 0 ? KconfigExpression.True : KconfigExpression.Parse(condition)));
                        break;
                    default:
                        throw new KconfigException($"unknown directive '{keyword}'");
                }
            }
            catch (KconfigException e)
            {
                throw new KconfigException($"{source}:{lineNumber}: {e.Message}");
            }
        }
        return symbols;
    }

    private static KconfigReverseDependency ParseReverse(string text)
    {
        (string target, string condition) = SplitCondition(text);
        if (!IsSymbolName(target))
            throw new KconfigException($"'{target}' is not a symbol name");
        return new KconfigReverseDependency(target, condition.Length == 0 ? KconfigExpression.True : KconfigExpression.Parse(condition));
    }

    // "X if EXPR" -> ("X", "EXPR"); "X" -> ("X", "").
    private static (string Head, string Condition) SplitCondition(string text)
    {
        int index = text.IndexOf(" if ", StringComparison.Ordinal);
        return index < 0 ? (text.Trim(), "") : (text[..index].Trim(), text[(index + 4)..].Trim());
    }

    private static (string Word, string Remainder) SplitWord(string text)
    {
        int space = text.IndexOfAny(new[] { ' ', '\t' });
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
    }

    private static string StripComment(string line)
    {
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
                quoted = !quoted;
            else if (line[i] == '#' && !quoted)
                return line[..i];
        }
        return line;
    }

    private static string Unquote(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
            throw new KconfigException($"expected a quoted type name, not '{text}'");
        return text[1..^1];
    }

    private static bool IsSymbolName(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && text is not ("y" or "n");
}
