namespace Emu.Core.Catalog;

/// <summary>The node kinds of a Kconfig boolean expression.</summary>
public enum KconfigExpressionKind
{
    /// <summary>y or n.</summary>
    Constant,

    /// <summary>A symbol's current value.</summary>
    Symbol,

    /// <summary>!expr</summary>
    Not,

    /// <summary>expr &amp;&amp; expr</summary>
    And,

    /// <summary>expr || expr</summary>
    Or,
}
