using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>LAHF, SAHF, CLC, STC, CMC, CLD and STD on random flags (and, for SAHF, a random AH).</summary>
internal static class FlagCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("flags");
        OperandValues v = g.Values;
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Lahf, Mnemonic.Sahf, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std), 150,
            FillOptions.Default, (s, made) => s.SetDirection(v.Chance(0.5)));
        // Flags after an operation whose flags are computed lazily, read back by LAHF, PUSHF, SETcc and ADC.
        for (int n = Campaign.Count(400); n > 0; n--)
        {
            var s = new CaseState(v);
            Instruction producer = v.Int(0, 4) switch
            {
                0 => Instruction.Create(Code.Add_rm32_r32, Register.EAX, Register.ECX),
                1 => Instruction.Create(Code.Sub_rm64_r64, Register.RAX, Register.RCX),
                2 => Instruction.Create(Code.Inc_rm8, Register.AL),
                _ => Instruction.Create(Code.Neg_rm16, Register.AX),
            };
            Instruction consumer = v.Int(0, 4) switch
            {
                0 => Instruction.Create(Code.Lahf),
                1 => Instruction.Create(Code.Sahf),
                2 => Instruction.Create(Code.Cmc),
                _ => Instruction.Create(Code.Adc_rm32_r32, Register.EDX, Register.EBX),
            };
            s.Set(0, v.Register(8));
            s.Set(1, v.Register(8));
            g.Cases.Add(s.Build(InstructionFactory.Assemble(producer, consumer)));
        }
        return g.Cases;
    }
}
