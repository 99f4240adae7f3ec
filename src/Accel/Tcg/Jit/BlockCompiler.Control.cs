using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// The stack and control flow in 64-bit mode: PUSH and POP of registers and
// immediates, near JMP, Jcc, CALL and RET. The stack has no segment base or
// limit there; RSP is an ordinary cached register. Every memory access and
// every check comes before any state changes, so a slow path (the
// interpreter running the whole instruction) starts from the state before it.
internal sealed partial class BlockCompiler
{
    /// <summary>
    /// EMU_JIT_SKIP=a,b,...: plans (Generic, Push, Jcc...) or mnemonics (Movzx...) left to the
    /// interpreter, for bisecting a suspected compiler bug by running a guest with less of it compiled.
    /// </summary>
    private static readonly HashSet<string> s_skip = new((Environment.GetEnvironmentVariable("EMU_JIT_SKIP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));

    private OpPlan Classify(ref DecodedOp op)
    {
        OpPlan plan = ClassifyOp(ref op);
        if (plan != OpPlan.Fallback && s_skip.Count > 0 && (s_skip.Contains(plan.ToString()) || s_skip.Contains(op.I.Mnemonic.ToString())))
            return OpPlan.Fallback;
        return plan;
    }

    private OpPlan ClassifyOp(ref DecodedOp op)
    {
        ref Instruction i = ref op.I;
        if (i.Code == Code.INVALID)
            return OpPlan.Fallback;
        switch (i.Mnemonic)
        {
            case Mnemonic.Nop:
            case Mnemonic.Endbr64:
            case Mnemonic.Endbr32:
            case Mnemonic.Prefetch:
            case Mnemonic.Prefetchw:
            case Mnemonic.Prefetchnta:
            case Mnemonic.Prefetcht0:
            case Mnemonic.Prefetcht1:
            case Mnemonic.Prefetcht2:
                return OpPlan.Nothing;
            case Mnemonic.Push:
                return i.Op0Kind == OpKind.Register ? IsGpr(i.Op0Register) ? OpPlan.Push : OpPlan.Fallback
                    : i.Op0Kind is OpKind.Immediate8to64 or OpKind.Immediate32to64 or OpKind.Immediate16 or OpKind.Immediate8to16 ? OpPlan.Push
                    : OpPlan.Fallback;
            case Mnemonic.Pop:
                // POP SP (16 bits) keeps RSP's upper bits from before the increment: left to the interpreter.
                return i.Op0Kind == OpKind.Register && IsGpr(i.Op0Register) && !(RegisterInfo.Number(i.Op0Register) == 4 && StackSize(in i) != 8)
                    ? OpPlan.Pop : OpPlan.Fallback;
            case Mnemonic.Jmp:
                if (i.Op0Kind == OpKind.NearBranch64)
                    return X86Cpu.IsCanonical(op.Target) ? OpPlan.JmpNear : OpPlan.Fallback;
                return i.Code == Code.Jmp_rm64 && IndirectOperandOk(in i) ? OpPlan.JmpIndirect : OpPlan.Fallback;
            case Mnemonic.Call:
                if (i.Code == Code.Call_rel32_64)
                    return X86Cpu.IsCanonical(op.Target) ? OpPlan.CallNear : OpPlan.Fallback;
                return i.Code == Code.Call_rm64 && IndirectOperandOk(in i) ? OpPlan.CallIndirect : OpPlan.Fallback;
            case Mnemonic.Ret:
                return i.Code is Code.Retnq or Code.Retnq_imm16 ? OpPlan.Ret : OpPlan.Fallback;
            case Mnemonic.Jo:
            case Mnemonic.Jno:
            case Mnemonic.Jb:
            case Mnemonic.Jae:
            case Mnemonic.Je:
            case Mnemonic.Jne:
            case Mnemonic.Jbe:
            case Mnemonic.Ja:
            case Mnemonic.Js:
            case Mnemonic.Jns:
            case Mnemonic.Jp:
            case Mnemonic.Jnp:
            case Mnemonic.Jl:
            case Mnemonic.Jge:
            case Mnemonic.Jle:
            case Mnemonic.Jg:
                return i.Op0Kind == OpKind.NearBranch64 && X86Cpu.IsCanonical(op.Target) && X86Cpu.IsCanonical(op.NextIp)
                    ? OpPlan.Jcc : OpPlan.Fallback;
            default:
                return CanCompileGeneric(ref op) ? OpPlan.Generic : OpPlan.Fallback;
        }
    }

    private static bool IsGpr(Register r) => RegisterInfo.Kind(r) == RegisterKind.Gpr && !RegisterInfo.IsHigh8(r);

    private static int StackSize(in Instruction i) => Math.Abs(i.StackPointerIncrement);

    private static bool IndirectOperandOk(in Instruction i) =>
        i.Op0Kind == OpKind.Memory || (i.Op0Kind == OpKind.Register && IsGpr(i.Op0Register));

    private void EmitPush(ref DecodedOp op)
    {
        int size = StackSize(in op.I);
        int stub = NewStub();
        ClobberFlags();
        int rsp = Home(4, load: true);
        Register value = Register.None;
        if (op.I.Op0Kind == OpKind.Register)
            value = HomeRegister(Home(RegisterInfo.Number(op.I.Op0Register), load: true), size);
        _e.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(HomeRegister(rsp, 8), -size)));
        TranslateAddress(size, write: true, aligned: false, stub);
        var slot = new MemoryOperand(Register.RSI);
        if (value != Register.None)
            _e.Emit(Instruction.Create(size == 8 ? Code.Mov_rm64_r64 : Code.Mov_rm16_r16, slot, value));
        else if (size == 8)
            _e.Emit(Instruction.Create(Code.Mov_rm64_imm32, slot, (int)op.I.GetImmediate(0)));
        else
            _e.Emit(Instruction.Create(Code.Mov_rm16_imm16, slot, (uint)(ushort)op.I.GetImmediate(0)));
        _e.Emit(Instruction.Create(Code.Lea_r64_m, HomeRegister(rsp, 8), new MemoryOperand(HomeRegister(rsp, 8), -size)));
        MarkDirty(4);
        JoinStub(stub);
    }

    private void EmitPop(ref DecodedOp op)
    {
        int size = StackSize(in op.I);
        int guest = RegisterInfo.Number(op.I.Op0Register);
        int stub = NewStub();
        ClobberFlags();
        int rsp = Home(4, load: true);
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RSI, HomeRegister(rsp, 8)));
        TranslateAddress(size, write: false, aligned: false, stub);
        var slot = new MemoryOperand(Register.RSI);
        Code load = size == 8 ? Code.Mov_r64_rm64 : Code.Mov_r16_rm16;
        if (guest == 4)
        {
            // POP RSP: RSP becomes the value read (the increment is overwritten).
            _e.Emit(Instruction.Create(load, HomeRegister(rsp, size), slot));
        }
        else
        {
            int home = Home(guest, load: size < 8);
            _e.Emit(Instruction.Create(load, HomeRegister(home, size), slot));
            _e.Emit(Instruction.Create(Code.Lea_r64_m, HomeRegister(rsp, 8), new MemoryOperand(HomeRegister(rsp, 8), size)));
            MarkDirty(guest);
        }
        MarkDirty(4);
        JoinStub(stub);
    }

    // Jcc: both exits leave with the flags saved and the registers stored, done once before the branch
    // (LAHF, SETO and MOV leave RFLAGS alone, so the branch still tests the guest's flags).
    private void EmitJcc(ref DecodedOp op)
    {
        NeedFlags();
        SaveFlags();
        WriteBack(clean: true);
        int taken = _e.NewLabel();
        _e.Jcc(op.Condition, taken);
        DirectExit(op.NextIp);
        _e.Bind(taken);
        DirectExit(op.Target);
    }

    private void EmitCallNear(ref DecodedOp op)
    {
        int stub = NewStub(leaves: true);
        ClobberFlags();
        PushReturnAddress(op.NextIp, stub);
        DirectExit(op.Target);
    }

    // Pushes the return address: [RSP - 8] translated for writing, then stored, then RSP moved.
    private void PushReturnAddress(ulong returnAddress, int stub)
    {
        int rsp = Home(4, load: true);
        _e.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(HomeRegister(rsp, 8), -8)));
        TranslateAddress(8, write: true, aligned: false, stub);
        _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, returnAddress));
        _e.Emit(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(Register.RSI), Register.RAX));
        _e.Emit(Instruction.Create(Code.Lea_r64_m, HomeRegister(rsp, 8), new MemoryOperand(HomeRegister(rsp, 8), -8)));
        MarkDirty(4);
    }

    // JMP r/m64 and CALL r/m64: the target in RDI, checked canonical (else the interpreter raises #GP).
    private void EmitIndirectBranch(ref DecodedOp op, bool call)
    {
        int stub = NewStub(leaves: true);
        ClobberFlags();
        if (op.I.Op0Kind == OpKind.Register)
        {
            int home = Home(RegisterInfo.Number(op.I.Op0Register), load: true);
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, HomeRegister(home, 8)));
        }
        else
        {
            LinearAddress(ref op);
            TranslateAddress(8, write: false, aligned: false, stub);
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, new MemoryOperand(Register.RSI)));
        }
        CheckCanonical(Register.RDI, stub);
        if (call)
            PushReturnAddress(op.NextIp, stub);
        IndirectExit(Register.RDI);
    }

    private void EmitRet(ref DecodedOp op)
    {
        int stub = NewStub(leaves: true);
        ClobberFlags();
        int rsp = Home(4, load: true);
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RSI, HomeRegister(rsp, 8)));
        TranslateAddress(8, write: false, aligned: false, stub);
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, new MemoryOperand(Register.RSI)));
        CheckCanonical(Register.RDI, stub);
        int release = 8 + (op.I.OpCount > 0 ? op.I.Immediate16 : 0);
        _e.Emit(Instruction.Create(Code.Lea_r64_m, HomeRegister(rsp, 8), new MemoryOperand(HomeRegister(rsp, 8), release)));
        MarkDirty(4);
        IndirectExit(Register.RDI);
    }

    // Canonical: bits 63:47 all equal, i.e. sign-extending from bit 47 changes nothing (RCX is scratch).
    private void CheckCanonical(Register value, int stub)
    {
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, value));
        _e.Emit(Instruction.Create(Code.Shl_rm64_imm8, Register.RCX, 16));
        _e.Emit(Instruction.Create(Code.Sar_rm64_imm8, Register.RCX, 16));
        _e.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RCX, value));
        BranchToStub(stub, ConditionCode.ne);
    }
}
