using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// BT, BTS, BTR, BTC with immediate and register bit offsets (with a memory
/// operand a register offset is a signed bit index that may reach far
/// outside the operand: SDM BT, "Bit(BitBase, BitOffset)"), with and
/// without LOCK; BSF, BSR, LZCNT and POPCNT on values with few bits set and
/// on 0 (not TZCNT: the software CPU does not advertise BMI1 and runs its
/// encoding as BSF, as processors without BMI1 do; AdvertisedFeatureTests).
/// </summary>
internal static class BitCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("bits");
        OperandValues v = g.Values;
        // With a register offset, the memory operand sits in the middle of the data region so that offsets of
        // either sign land in it (or, some of them, outside: #PF, or a non-canonical address: #GP).
        var middle = new FillOptions { MemoryOffset = size => DifferentialLayout.PageSize + v.Int(-64, 64) };
        IEnumerable<Code> bitTests = InstructionFactory.CodesOf(Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc);
        g.ForCodes(bitTests.Where(c => c.ToOpCode().GetOpKind(1) != OpCodeOperandKind.imm8), 250, middle, (s, made) => SetBitOffset(s, made, v));
        g.ForCodes(bitTests.Where(c => c.ToOpCode().GetOpKind(1) == OpCodeOperandKind.imm8), 120, FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Bsf, Mnemonic.Bsr, Mnemonic.Lzcnt, Mnemonic.Popcnt), 200, FillOptions.Default,
            (s, made) => Scan(s, made, v));
        return g.Cases;
    }

    private static void SetBitOffset(CaseState s, GeneratedInstruction made, OperandValues v)
    {
        int size = OperandAccess.Size(made, 0);
        ulong offset = v.Int(0, 5) switch
        {
            0 or 1 => (ulong)(long)v.Int(-8 * DifferentialLayout.PageSize, 8 * DifferentialLayout.PageSize),
            2 => (ulong)(long)v.Int(-70, 70),
            _ => v.Next(size),
        };
        OperandAccess.Set(s, made, 1, offset);
    }

    private static void Scan(CaseState s, GeneratedInstruction made, OperandValues v)
    {
        if (v.Chance(0.1))
            OperandAccess.Set(s, made, 1, 0);
        int size = OperandAccess.Size(made, 1);
        ulong source = OperandAccess.Get(s, made, 1) & OperandValues.Mask(size);
        if (source == 0 && made.Instruction.Mnemonic is Mnemonic.Bsf or Mnemonic.Bsr)
        {
            // SDM BSF/BSR: "If the content of the source operand is 0, the content of the destination operand is undefined."
            s.UndefinedRegisters |= 1 << (made.Instruction.Op0Register.GetFullRegister() - Register.RAX);
            s.MaskReason = (s.MaskReason == null ? "" : s.MaskReason + "; ") + "SDM BSF/BSR: destination undefined for a zero source";
        }
    }
}
