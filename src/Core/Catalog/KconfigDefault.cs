namespace Emu.Core.Catalog;

/// <summary>"default y|n [if CONDITION]": the value a symbol takes when nothing forces it; the first one whose condition holds counts.</summary>
public sealed record KconfigDefault(bool Value, KconfigExpression Condition);
