namespace Emu.Core.Catalog;

/// <summary>
/// A boolean expression of Kconfig: symbols, y and n, combined with
/// <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses (in that order of
/// precedence), as written after <c>depends on</c> and <c>if</c>.
/// </summary>
public sealed class KconfigExpression
{
    public static readonly KconfigExpression True = new(KconfigExpressionKind.Constant, null, null, null, true);

    private KconfigExpression(KconfigExpressionKind kind, string? symbol, KconfigExpression? left, KconfigExpression? right, bool value)
    {
        Kind = kind;
        Symbol = symbol;
        Left = left;
        Right = right;
        Value = value;
    }

    public KconfigExpressionKind Kind { get; }

    /// <summary>For <see cref="KconfigExpressionKind.Symbol"/>: the symbol's name.</summary>
    public string? Symbol { get; }

    /// <summary>The operand of !, or the left operand of &amp;&amp; and ||.</summary>
    public KconfigExpression? Left { get; }

    public KconfigExpression? Right { get; }

    /// <summary>For <see cref="KconfigExpressionKind.Constant"/>: y (true) or n (false).</summary>
    public bool Value { get; }

    public static KconfigExpression Constant(bool value) => value ? True : new(KconfigExpressionKind.Constant, null, null, null, false);

    public static KconfigExpression Of(string symbol) => new(KconfigExpressionKind.Symbol, symbol, null, null, false);

    public static KconfigExpression Not(KconfigExpression operand) => new(KconfigExpressionKind.Not, null, operand, null, false);

    public static KconfigExpression And(KconfigExpression left, KconfigExpression right) => new(KconfigExpressionKind.And, null, left, right, false);

    public static KconfigExpression Or(KconfigExpression left, KconfigExpression right) => new(KconfigExpressionKind.Or, null, left, right, false);

    /// <summary>Parses an expression such as <c>PCI &amp;&amp; (VIRTIO || !ISA_BUS)</c>.</summary>
    public static KconfigExpression Parse(string text) => KconfigExpressionParser.Parse(text);

    /// <summary>Evaluates with <paramref name="isEnabled"/> giving each symbol's value.</summary>
    public bool Evaluate(Func<string, bool> isEnabled) => Kind switch
    {
        KconfigExpressionKind.Constant => Value,
        KconfigExpressionKind.Symbol => isEnabled(Symbol!),
        KconfigExpressionKind.Not => !Left!.Evaluate(isEnabled),
        KconfigExpressionKind.And => Left!.Evaluate(isEnabled) && Right!.Evaluate(isEnabled),
        _ => Left!.Evaluate(isEnabled) || Right!.Evaluate(isEnabled),
    };

    /// <summary>Every symbol the expression mentions.</summary>
    public IEnumerable<string> Symbols()
    {
        if (Kind == KconfigExpressionKind.Symbol)
            yield return Symbol!;
        if (Left != null)
        {
            foreach (string s in Left.Symbols())
                yield return s;
        }
        if (Right != null)
        {
            foreach (string s in Right.Symbols())
                yield return s;
        }
    }

    public override string ToString() => Format(0);

    // Parenthesizes a sub-expression only where precedence needs it.
    private string Format(int parentPrecedence)
    {
        (string text, int precedence) = Kind switch
        {
            KconfigExpressionKind.Constant => (Value ? "y" : "n", 3),
            KconfigExpressionKind.Symbol => (Symbol!, 3),
            KconfigExpressionKind.Not => ("!" + Left!.Format(3), 3),
            KconfigExpressionKind.And => (Left!.Format(2) + " && " + Right!.Format(2), 2),
            _ => (Left!.Format(1) + " || " + Right!.Format(1), 1),
        };
        return precedence < parentPrecedence ? "(" + text + ")" : text;
    }
}
