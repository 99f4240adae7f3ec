namespace Emu.Core.Catalog;

/// <summary>
/// Recursive-descent parser for Kconfig expressions:
/// <code>
/// or    := and ( "||" and )*
/// and   := unary ( "&amp;&amp;" unary )*
/// unary := "!" unary | "(" or ")" | "y" | "n" | SYMBOL
/// </code>
/// Symbols are letters, digits and underscores.
/// </summary>
internal sealed class KconfigExpressionParser
{
    private readonly string _text;
    private int _position;

    private KconfigExpressionParser(string text) => _text = text;

    public static KconfigExpression Parse(string text)
    {
        var parser = new KconfigExpressionParser(text);
        KconfigExpression result = parser.ParseOr();
        parser.SkipSpace();
        if (parser._position != text.Length)
            throw parser.Error($"unexpected '{text[parser._position..]}'");
        return result;
    }

    private KconfigExpression ParseOr()
    {
        KconfigExpression left = ParseAnd();
        while (TryConsume("||"))
            left = KconfigExpression.Or(left, ParseAnd());
        return left;
    }

    private KconfigExpression ParseAnd()
    {
        KconfigExpression left = ParseUnary();
        while (TryConsume("&&"))
            left = KconfigExpression.And(left, ParseUnary());
        return left;
    }

    private KconfigExpression ParseUnary()
    {
        if (TryConsume("!"))
            return KconfigExpression.Not(ParseUnary());
        if (TryConsume("("))
        {
            KconfigExpression inner = ParseOr();
            if (!TryConsume(")"))
                throw Error("missing ')'");
            return inner;
        }
        SkipSpace();
        int start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
            _position++;
        if (start == _position)
            throw Error(_position < _text.Length ? $"unexpected '{_text[_position]}'" : "expression ends early");
        string word = _text[start.._position];
        return word switch
        {
            "y" => KconfigExpression.Constant(true),
            "n" => KconfigExpression.Constant(false),
            _ => KconfigExpression.Of(word),
        };
    }

    private bool TryConsume(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _position, token, 0, token.Length) != 0)
            return false;
        _position += token.Length;
        return true;
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
            _position++;
    }

    private KconfigException Error(string what) => new($"expression '{_text}': {what}");
}
