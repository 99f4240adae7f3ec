using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Short sequences of instructions whose flags are all defined (ADD, ADC,
/// SUB, SBB, CMP, NEG, INC, DEC, XADD, CMPXCHG, CLC, STC, CMC) followed by
/// one that reads flags (SETcc, CMOVcc, Jcc, ADC, SBB, LAHF, PUSHF, RCL/RCR
/// by 1, INC/DEC, which keep CF): the software CPU computes flags lazily
/// from the last operation, so this is where an operation that keeps some
/// flags (INC/DEC keep CF, CLC/STC/CMC change only CF) meets one that reads
/// them, within a block and across a taken branch.
/// </summary>
internal static class SequenceCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("sequence");
        OperandValues v = g.Values;
        Code[] producers = InstructionFactory.CodesOf(Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.Cmp, Mnemonic.Neg,
            Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc).ToArray();
        Code[] consumers = InstructionFactory.CodesOf(Mnemonic.Seto, Mnemonic.Setb, Mnemonic.Sete, Mnemonic.Setbe, Mnemonic.Sets,
            Mnemonic.Setp, Mnemonic.Setl, Mnemonic.Setle, Mnemonic.Cmovno, Mnemonic.Cmovae, Mnemonic.Cmovne, Mnemonic.Cmova,
            Mnemonic.Cmovns, Mnemonic.Cmovnp, Mnemonic.Cmovge, Mnemonic.Cmovg, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.Lahf,
            Mnemonic.Pushfq, Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Jb, Mnemonic.Jo, Mnemonic.Jle, Mnemonic.Jp)
            .Concat([Code.Rcl_rm8_1, Code.Rcr_rm32_1, Code.Rcl_rm64_1])
            .Where(c => c.ToOpCode().OpCount == 0 || c.ToOpCode().GetOpKind(0) is not OpCodeOperandKind.br16_1 and not OpCodeOperandKind.br16_2)
            .ToArray();
        var registersOnly = new FillOptions { MemoryChance = 0, LockChance = 0, Implicit = 1 << 4 };
        for (int n = Campaign.Count(3000); n > 0; n--)
        {
            var s = new CaseState(v);
            var instructions = new List<Instruction>();
            int length = v.Int(1, 4);
            for (int i = 0; i <= length; i++)
            {
                Code code = i < length ? v.Pick(producers) : v.Pick(consumers);
                GeneratedInstruction? made = g.Factory.Create(code, s, registersOnly);
                if (made == null)
                    continue;
                instructions.Add(made.Instruction);
            }
            // RSP for PUSHF, and never an operand: its value is the stack.
            s.Set(4, DifferentialLayout.DataBase + 0x1000);
            byte[] bytes;
            try
            {
                bytes = InstructionFactory.Assemble(instructions.ToArray());
            }
            catch (EncoderException)
            {
                continue; // AH..BH with a REX prefix in another instruction's register choice
            }
            g.Cases.Add(s.Build(bytes));
        }
        return g.Cases;
    }
}
