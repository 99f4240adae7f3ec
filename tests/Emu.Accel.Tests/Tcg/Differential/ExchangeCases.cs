using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// XCHG, CMPXCHG, CMPXCHG8B, CMPXCHG16B and XADD, with and without LOCK,
/// on registers and memory (aligned, misaligned, across a page, and for
/// CMPXCHG16B misaligned: #GP). Half the compares are made to succeed.
/// </summary>
internal static class ExchangeCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("exchange");
        OperandValues v = g.Values;
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Xchg, Mnemonic.Xadd), 80, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Cmpxchg), 250, new FillOptions { Implicit = 1 << 0 }, (s, made) =>
        {
            int size = OperandAccess.Size(made, 0);
            Register accumulator = InstructionFactory.Gpr(size, 0);
            OperandAccess.SetRegister(s, accumulator, v.Chance(0.5) ? OperandAccess.Get(s, made, 0) : v.Next(size));
        });
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Cmpxchg8b, Mnemonic.Cmpxchg16b), 300,
            new FillOptions { Implicit = 0b1111, MemoryChance = 1 }, (s, made) =>
            {
                // EDX:EAX (RDX:RAX) compared with the memory operand; ECX:EBX (RCX:RBX) stored if equal.
                bool wide = made.Instruction.Mnemonic == Mnemonic.Cmpxchg16b;
                int offset = made.MemoryOffset ?? 0;
                if (v.Chance(0.5))
                {
                    ulong low = s.ReadData(offset, wide ? 8 : 4), high = s.ReadData(offset + (wide ? 8 : 4), wide ? 8 : 4);
                    s.Set(0, wide ? low : (v.Bits64() & ~0xFFFF_FFFFUL) | low);
                    s.Set(2, wide ? high : (v.Bits64() & ~0xFFFF_FFFFUL) | high);
                }
                s.Use(1);
                s.Use(3);
            });
        return g.Cases;
    }
}
