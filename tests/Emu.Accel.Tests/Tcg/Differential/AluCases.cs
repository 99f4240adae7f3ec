using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// ADD, ADC, SUB, SBB, AND, OR, XOR, CMP, TEST, INC, DEC, NEG and NOT in
/// every 64-bit-mode encoding (r/m with register, register with r/m, the
/// accumulator forms, 8-bit, full and sign-extended immediates; 8, 16, 32
/// and 64 bits), with and without LOCK, on boundary and random values; the
/// carry-in of ADC/SBB and the kept CF of INC/DEC come from random flags.
/// </summary>
internal static class AluCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("alu");
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Or,
            Mnemonic.Xor, Mnemonic.Cmp, Mnemonic.Test, Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not), 40, FillOptions.Default);
        return g.Cases;
    }
}
