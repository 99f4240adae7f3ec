namespace Emu.Core.Catalog;

/// <summary>
/// "select TARGET [if CONDITION]" or "imply TARGET [if CONDITION]": while the
/// declaring symbol is enabled and the condition holds, TARGET is forced on
/// (select) or switched on by default (imply).
/// </summary>
public sealed record KconfigReverseDependency(string Target, KconfigExpression Condition)
{
    public override string ToString() =>
        Condition.Kind == KconfigExpressionKind.Constant && Condition.Value ? Target : $"{Target} if {Condition}";
}
