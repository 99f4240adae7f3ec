using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Where code sits, for the decoder: an instruction (ADD, SUB, XOR, MOV,
/// IMUL, BT, MOVZX, LEA, CMPXCHG with random operands) that straddles the boundary between the two code
/// pages, or runs into the inaccessible page after them (an instruction
/// fetch #PF: error code with I/D set, CR2 the first byte of that page, RIP
/// the instruction); and loops that run blocks again and again (DEC/JNZ,
/// LOOP, and a taken Jcc back over a block boundary).
/// </summary>
internal static class CodeLayoutCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("layout");
        OperandValues v = g.Values;
        Code[] codes = InstructionFactory.CodesOf(Mnemonic.Add, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Mov, Mnemonic.Imul, Mnemonic.Bt,
            Mnemonic.Movzx, Mnemonic.Lea, Mnemonic.Cmpxchg).Where(c => Enumerable.Range(0, c.ToOpCode().OpCount)
            .All(i => c.ToOpCode().GetOpKind(i) is not (OpCodeOperandKind.seg_reg or OpCodeOperandKind.cr_reg or OpCodeOperandKind.dr_reg
                or OpCodeOperandKind.tr_reg))).ToArray();
        for (int n = Campaign.Count(1500); n > 0; n--)
        {
            var s = new CaseState(v);
            GeneratedInstruction? made = g.Factory.Create(v.Pick(codes), s, FillOptions.Default);
            if (made == null)
                continue;
            int length = made.Bytes.Length;
            // Straddle the middle boundary (both pages mapped) or the end (the second part is not mapped).
            int boundary = v.Chance(0.7) ? DifferentialLayout.PageSize : DifferentialLayout.CodeSize;
            int at = boundary - v.Int(1, length + 1);
            // The instruction is re-encoded at its new address (a RIP-relative operand's displacement depends on it).
            var writer = new ByteWriter();
            Encoder.Create(64, writer).Encode(made.Instruction, DifferentialLayout.CodeBase + (ulong)at);
            byte[] placed = writer.ToArray();
            byte[] code = new byte[Math.Min(at + placed.Length, DifferentialLayout.CodeSize)];
            Array.Fill(code, DifferentialLayout.Int3);
            InstructionFactory.Assemble(Instruction.CreateBranch(Code.Jmp_rel32_64, DifferentialLayout.CodeBase + (ulong)at)).CopyTo(code, 0);
            placed.AsSpan(0, code.Length - at).CopyTo(code.AsSpan(at));
            if (UndefinedFlags.Fixed.TryGetValue(made.Instruction.Mnemonic, out UndefinedFlags.Rule rule))
                s.Mask(rule);
            g.Cases.Add(s.Build(code, $"at +0x{at:x}: {made.Instruction}"));
        }
        for (int n = Campaign.Count(500); n > 0; n--)
            g.Cases.Add(Loop(v));
        return g.Cases;
    }

    // mov ecx, n; L: add eax, ecx; (rol edx, 1;) dec ecx / LOOP L / jnz L; INT3
    private static TestCase Loop(OperandValues v)
    {
        var s = new CaseState(v);
        var a = new Assembler(64);
        Label top = a.CreateLabel();
        a.mov(AssemblerRegisters.ecx, (uint)v.Int(1, 300)); // (0 would loop 2^32 or 2^64 times)
        a.Label(ref top);
        a.add(AssemblerRegisters.rax, AssemblerRegisters.rcx);
        if (v.Chance(0.5))
            a.rol(AssemblerRegisters.rdx, 1);
        switch (v.Int(0, 3))
        {
            case 0:
                a.dec(AssemblerRegisters.ecx);
                a.jne(top);
                break;
            case 1:
                a.loop(top);
                break;
            default:
                a.sub(AssemblerRegisters.ecx, 1);
                a.jae(top); // until ECX wraps below 0
                break;
        }
        a.int3();
        var writer = new ByteWriter();
        a.Assemble(writer, DifferentialLayout.CodeBase);
        return s.Build(writer.ToArray());
    }
}
