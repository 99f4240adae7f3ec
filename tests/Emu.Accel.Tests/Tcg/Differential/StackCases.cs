using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// PUSH and POP (registers, memory, immediates, 16- and 64-bit; PUSH RSP
/// pushes the old value, POP RSP loads the popped one, POP to memory
/// addresses with the incremented RSP), PUSHF/POPF (16 and 64 bits, with
/// every flag the popped value may try to change at CPL 3), LEAVE, ENTER
/// with nesting levels 0..31 (and above: the level is taken modulo 32),
/// CALL, RET and indirect JMP. RSP (and RBP) point into the data region,
/// sometimes so near its edge that the stack access faults, which must
/// leave every register as it was.
/// </summary>
internal static class StackCases
{
    /// <summary>TF and AC: POPF could set them, but single-stepping and alignment checks are not what these tests are about.</summary>
    private const ulong TrapAndAlignment = 0x100 | 0x4_0000;

    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("stack");
        OperandValues v = g.Values;
        var stackImplicit = new FillOptions { Implicit = 1 << 4 | 1 << 5 };
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Push, Mnemonic.Pop), 250, stackImplicit, (s, made) => SetStack(s, v));
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Pushf, Mnemonic.Pushfq, Mnemonic.Popf, Mnemonic.Popfq), 250, stackImplicit, (s, made) =>
        {
            int top = SetStack(s, v);
            // Whatever POPF finds: at CPL 3 it may change the arithmetic flags, DF, NT, ID (and, not here, TF and AC), not IF, IOPL, VIF, VIP, VM or RF.
            s.Patch(top, v.Bits64() & ~TrapAndAlignment, 8);
            s.Rflags |= v.Chance(0.3) ? 0x20_0000UL : 0;
        });
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Leave), 250, stackImplicit, (s, made) =>
        {
            s.Set(4, v.Bits64());
            s.Set(5, DifferentialLayout.DataBase + (ulong)(long)StackOffset(v));
        });
        var enter = new FillOptions
        {
            Implicit = 1 << 4 | 1 << 5,
            Immediate = kind => kind == OpCodeOperandKind.imm16
                ? (v.Chance(0.7) ? (ulong)v.Int(0, 64) : v.Next(2))
                : (v.Chance(0.8) ? (ulong)v.Int(0, 6) : v.Next(1)),
        };
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Enter), 500, enter, (s, made) =>
        {
            SetStack(s, v);
            if (v.Chance(0.3))
            {
                // So near the bottom of the data region that one of the pushes (not necessarily the first) faults.
                int level = made.Instruction.Immediate8_2nd & 31;
                s.Set(4, DifferentialLayout.DataBase + (ulong)(8 * v.Int(0, level + 3)));
            }
            // ENTER copies level - 1 frame pointers from below RBP.
            s.Set(5, DifferentialLayout.DataBase + (ulong)(long)StackOffset(v));
        });
        g.ForCodes([Code.Retnq, Code.Retnq_imm16], 200, stackImplicit, (s, made) => s.Patch(SetStack(s, v), Target(v), 8));
        g.ForCodes([Code.Call_rel32_64], 100, stackImplicit, (s, made) => SetStack(s, v));
        g.ForCodes([Code.Call_rm64, Code.Jmp_rm64], 200, stackImplicit, (s, made) =>
        {
            SetStack(s, v);
            OperandAccess.Set(s, made, 0, Target(v));
        });
        PopWithStackPointerAddress(g, v);
        return g.Cases;
    }

    /// <summary>RSP somewhere in the data region, now and then so close to an edge that the access faults; returns its offset.</summary>
    private static int SetStack(CaseState s, OperandValues v)
    {
        int offset = StackOffset(v);
        s.Set(4, DifferentialLayout.DataBase + (ulong)(long)offset);
        return offset;
    }

    private static int StackOffset(OperandValues v)
    {
        int offset = v.Int(0, 10) switch
        {
            0 => v.Int(-16, 32),
            1 => DifferentialLayout.DataSize - v.Int(-8, 32),
            2 => DifferentialLayout.PageSize + v.Int(-16, 16),
            _ => v.Int(64, DifferentialLayout.DataSize - 64),
        };
        return v.Chance(0.7) ? offset & ~7 : offset;
    }

    /// <summary>A branch target: INT3 in the code region, or now and then outside it (#PF) or non-canonical (#GP).</summary>
    private static ulong Target(OperandValues v) => v.Int(0, 20) switch
    {
        0 => 0x0000_8000_0000_0000UL + (ulong)v.Int(0, 16), // the first non-canonical address
        1 => DifferentialLayout.DataBase + (ulong)v.Int(0, 64), // data is not executable
        _ => DifferentialLayout.CodeBase + (ulong)v.Int(0x10, DifferentialLayout.CodeSize),
    };

    // POP [RSP + d] and PUSH [RSP + d]: "If the ESP register is used as a base register for addressing a destination operand in
    // memory, the POP instruction computes the effective address of the operand after it increments the ESP register" (SDM POP).
    private static void PopWithStackPointerAddress(CaseGenerator g, OperandValues v)
    {
        for (int n = Campaign.Count(100); n > 0; n--)
        {
            var s = new CaseState(v);
            int top = SetStack(s, v);
            int displacement = v.Int(-24, 24) & ~7;
            bool wide = v.Chance(0.7);
            var memory = new MemoryOperand(Register.RSP, displacement, 1);
            Code code = v.Chance(0.5) ? (wide ? Code.Pop_rm64 : Code.Pop_rm16) : (wide ? Code.Push_rm64 : Code.Push_rm16);
            s.Patch(top, v.Bits64(), 8);
            byte[] bytes = InstructionFactory.Assemble(Instruction.Create(code, memory));
            g.Cases.Add(s.Build(bytes));
        }
    }
}
