using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// MOVZX, MOVSX, MOVSXD (into 16, 32 and 64 bits), CBW, CWDE, CDQE, CWD,
/// CDQ, CQO, BSWAP and plain MOV: the sign and zero extensions, and what a
/// write of each width does to the rest of the register (32-bit writes clear
/// bits 63:32, 8- and 16-bit writes keep them).
/// </summary>
internal static class ExtendCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("extend");
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd).Where(c => c != Code.Movsxd_r16_rm16), 120,
            FillOptions.Default);
        // MOVSXD r16, r/m16 (66h without REX.W): Intel documents a 16-bit source; AMD hosts read 32 bits (a word at the
        // end of a page faults on the next one). Its memory operand stays 4 bytes clear of any page end here.
        OperandValues v = g.Values;
        g.ForCodes([Code.Movsxd_r16_rm16], 120, new FillOptions { MemoryOffset = size => v.Int(0, DifferentialLayout.DataSize - 4) & ~3 });
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo), 120,
            FillOptions.Default);
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Bswap), 100, FillOptions.Default, (s, made) =>
        {
            // SDM BSWAP: "When the BSWAP instruction references a 16-bit register, the result is undefined."
            if (made.Instruction.Op0Register.GetSize() == 2)
            {
                s.UndefinedRegisters |= 1 << (made.Instruction.Op0Register.GetFullRegister() - Register.RAX);
                s.MaskReason = "SDM BSWAP: the result for a 16-bit register is undefined";
            }
        });
        // MOV between general registers, memory (moffs too) and immediates, and from segment registers (the selectors are
        // Linux's on both sides: CS 0x33, SS 0x2B, the others 0; a 32- or 64-bit register destination is zero-extended, a
        // memory destination is 16 bits whatever the operand size: SDM MOV). Not to segment, control or debug registers.
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Mov).Where(c => c.ToOpCode().GetOpKind(0) != OpCodeOperandKind.seg_reg
            && Enumerable.Range(0, c.ToOpCode().OpCount).All(i => c.ToOpCode().GetOpKind(i)
                is not (OpCodeOperandKind.cr_reg or OpCodeOperandKind.dr_reg or OpCodeOperandKind.tr_reg))), 40, FillOptions.Default);
        // XLAT: AL = [RBX + zero-extended AL] (SDM XLAT; with 67h [EBX + AL], the sum wrapping at 32 bits).
        for (int n = Campaign.Count(200); n > 0; n--)
        {
            var s = new CaseState(v);
            bool address32 = v.Chance(0.3);
            ulong table = DifferentialLayout.DataBase + (ulong)v.Int(-16, DifferentialLayout.DataSize - 240);
            s.Set(3, address32 ? (v.Bits64() & ~0xFFFF_FFFFUL) | table : table);
            s.Set(0, v.Register(8));
            g.Cases.Add(s.Build(address32 ? [0x67, 0xD7] : [0xD7]));
        }
        return g.Cases;
    }
}
