namespace Emu.Accel.Tcg;

/// <summary>The two-operand ALU instructions that share one handler shape.</summary>
internal enum AluKind
{
    Add,
    Adc,
    Sub,
    Sbb,
    Cmp,
    And,
    Or,
    Xor,
    Test,
}
