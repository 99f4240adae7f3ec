using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Compiles one decoded 64-bit block to host x86-64 code.
///
/// Host registers: RBX points at the CPU (its pinned <see cref="X86Cpu.Rip"/>
/// field, <see cref="JitLayout"/>); R8..R15 cache guest registers within the
/// block (<see cref="RegisterState"/>); RAX, RCX, RDX, RSI, RDI and RBP are
/// scratch (RSI carries the host address of a memory operand; RAX, RCX and
/// RDX also stand in for the guest's implicit RAX, RCX and RDX). RSP is 16-byte
/// aligned, so the callbacks into the VMM are plain calls.
///
/// Most integer instructions are compiled as themselves: the guest
/// instruction re-encoded with host registers for guest registers and [RSI]
/// for its memory operand, which therefore also computes the guest's flags.
/// A memory operand is translated through the software TLB inline; a miss, a
/// page-crossing access or a device page goes out of line to the interpreter
/// for that one instruction, which faults or completes it. Anything else is
/// a call to the interpreter's handler. Every compiled block begins with the
/// checks the interpreter does between blocks (another thread wants the CPU,
/// the step's budget, the guest bytes are still those compiled) and ends in
/// exits that the dispatcher may later point straight at the next block.
/// </summary>
internal sealed unsafe partial class BlockCompiler
{
    private readonly CodeEmitter _e;
    private readonly JitLayout _layout;
    private readonly CpuJit _jit;
    private readonly InstructionInfoFactory _info = new();
    private readonly List<SideStub> _stubs = new();
    private readonly List<JitExit> _exits = new();
    private readonly OpPlan[] _plans = new OpPlan[BlockDecoder.MaxInstructions];
    private RegisterState _state;
    private int _locked;
    private int _clock;
    private Block _block = null!;
    private int _blockId;
    private int _opIndex;

    public BlockCompiler(CodeEmitter emitter, JitLayout layout, CpuJit jit)
    {
        _e = emitter;
        _layout = layout;
        _jit = jit;
    }

    /// <summary>
    /// Whether compiling <paramref name="block"/> is worthwhile and safe: 64-bit
    /// code from RAM or ROM, no instruction that opens an interrupt shadow (the
    /// interpreter runs those blocks, one instruction past the shadow), and
    /// enough instructions compiled natively to beat the interpreter.
    /// </summary>
    public bool Plan(Block block)
    {
        if (block.Mode != 64 || !block.Cacheable || block.Ops.Length == 0 || block.Ops.Length > _plans.Length)
            return false;
        int native = 0, fallback = 0;
        DecodedOp[] ops = block.Ops;
        for (int k = 0; k < ops.Length; k++)
        {
            if (OpensInterruptShadow(in ops[k].I))
                return false;
            OpPlan plan = Classify(ref ops[k]);
            _plans[k] = plan;
            if (plan == OpPlan.Fallback)
                fallback++;
            else if (plan != OpPlan.Nothing)
                native++;
        }
        // Each call into the interpreter costs a managed transition: a block that is mostly calls runs faster interpreted.
        return native > 0 && native >= fallback;
    }

    private static bool OpensInterruptShadow(in Instruction i) =>
        i.Mnemonic is Mnemonic.Sti or Mnemonic.Lss
        || (i.Mnemonic is Mnemonic.Mov or Mnemonic.Pop && i.OpCount > 0 && i.Op0Kind == OpKind.Register && i.Op0Register == Register.SS);

    /// <summary>Compiles the block <see cref="Plan"/> accepted; null when the code cache ran out of room.</summary>
    public JitBlock? Compile(Block block, int id)
    {
        _block = block;
        _blockId = id;
        _stubs.Clear();
        _exits.Clear();
        _state = RegisterState.Entry;
        _clock = 0;
        int start = _e.Position;
        int attention = _e.NewLabel(), stale = _e.NewLabel();
        EmitEntryChecks(block, attention, stale);
        DecodedOp[] ops = block.Ops;
        bool open = true;
        for (int k = 0; k < ops.Length && open; k++)
        {
            _opIndex = k;
            _locked = 0;
            open = EmitOp(ref ops[k], _plans[k], k == ops.Length - 1);
        }
        if (open)
            DirectExit(ops[^1].NextIp);
        EmitSideStubs();

        _e.Bind(attention);
        ReturnStatus(JitStatus.Attention);
        _e.Bind(stale);
        _e.Emit(Instruction.Create(Code.Mov_rm32_imm32, Field(_layout.ExitBlock), _blockId));
        ReturnStatus(JitStatus.Stale);

        JitExit[] exits = _exits.ToArray();
        for (int x = 0; x < exits.Length; x++)
        {
            // The link stub: report (block, exit) so the dispatcher can chain it.
            exits[x].LinkStub = _e.Address(_e.Position);
            _e.Emit(Instruction.Create(Code.Mov_rm32_imm32, Field(_layout.ExitBlock), _blockId));
            _e.Emit(Instruction.Create(Code.Mov_rm32_imm32, Field(_layout.ExitIndex), x));
            ReturnStatus(JitStatus.Link);
        }
        if (_e.Overflow)
            return null;
        foreach (JitExit exit in exits)
            _e.Patch(exit.PatchSite, exit.LinkStub);
        if (!_e.ResolveLabels())
            throw new InvalidOperationException("jit: a label was never bound");
        return new JitBlock(id, block, _e.Address(start), exits, _e.Position - start);
    }

    private bool EmitOp(ref DecodedOp op, OpPlan plan, bool last)
    {
        switch (plan)
        {
            case OpPlan.Nothing:
                return true;
            case OpPlan.Generic:
                EmitGeneric(ref op);
                return true;
            case OpPlan.Push:
                EmitPush(ref op);
                return true;
            case OpPlan.Pop:
                EmitPop(ref op);
                return true;
            case OpPlan.JmpNear:
                DirectExit(op.Target);
                return false;
            case OpPlan.Jcc:
                EmitJcc(ref op);
                return false;
            case OpPlan.CallNear:
                EmitCallNear(ref op);
                return false;
            case OpPlan.CallIndirect:
            case OpPlan.JmpIndirect:
                EmitIndirectBranch(ref op, plan == OpPlan.CallIndirect);
                return false;
            case OpPlan.Ret:
                EmitRet(ref op);
                return false;
            default:
                EmitFallback();
                if (!last)
                    return true;
                // The block's last instruction ran in the interpreter (a branch, a mode change...): it set RIP.
                ReturnStatus(JitStatus.Lookup);
                return false;
        }
    }

    // --- Block entry ---

    // What the interpreter checks between blocks, and that the block's bytes are unchanged.
    private void EmitEntryChecks(Block block, int attention, int stale)
    {
        _e.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.EAX, Field(_layout.Attention)));
        _e.Emit(Instruction.Create(Code.Or_r32_rm32, Register.EAX, Field(_layout.ExitRequested)));
        _e.Jcc(ConditionCode.ne, attention);
        _e.Emit(Instruction.Create(Code.Dec_rm32, Field(_layout.Budget)));
        _e.Jcc(ConditionCode.e, attention);
        byte[] code = block.Code;
        EmitCodeCompare(block.Host, code.AsSpan(0, block.HostLength), stale);
        if (block.Host2 != null)
            EmitCodeCompare(block.Host2, code.AsSpan(block.HostLength), stale);
        _e.Emit(Instruction.Create(Code.Add_rm64_imm32, Field(_layout.InstructionsExecuted), block.Ops.Length));
    }

    // Compares guest memory at host address 'host' with the bytes the block was decoded from:
    // 8 bytes at a time, the last 8 overlapping, shorter pieces only for a block under 8 bytes.
    private void EmitCodeCompare(byte* host, ReadOnlySpan<byte> expected, int stale)
    {
        int n = expected.Length;
        if (n == 0)
            return;
        _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, (ulong)host));
        if (n >= 8)
        {
            for (int offset = 0; ; offset += 8)
            {
                int at = Math.Min(offset, n - 8);
                ulong value = BitConverter.ToUInt64(expected[at..]);
                _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, new MemoryOperand(Register.RAX, at)));
                _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RDX, value));
                _e.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RCX, Register.RDX));
                _e.Jcc(ConditionCode.ne, stale);
                if (at + 8 >= n)
                    break;
            }
            return;
        }
        int o = 0;
        if (n - o >= 4)
        {
            _e.Emit(Instruction.Create(Code.Cmp_rm32_imm32, new MemoryOperand(Register.RAX, o), BitConverter.ToUInt32(expected[o..])));
            _e.Jcc(ConditionCode.ne, stale);
            o += 4;
        }
        if (n - o >= 2)
        {
            _e.Emit(Instruction.Create(Code.Cmp_rm16_imm16, new MemoryOperand(Register.RAX, o), BitConverter.ToUInt16(expected[o..])));
            _e.Jcc(ConditionCode.ne, stale);
            o += 2;
        }
        if (n - o >= 1)
        {
            _e.Emit(Instruction.Create(Code.Cmp_rm8_imm8, new MemoryOperand(Register.RAX, o), expected[o]));
            _e.Jcc(ConditionCode.ne, stale);
        }
    }

    // --- Calls into the interpreter ---

    /// <summary>The current instruction, run by the interpreter: guest state complete before, nothing cached after.</summary>
    private void EmitFallback()
    {
        SaveFlags();
        WriteBack(clean: true);
        CallInterpreter(_opIndex);
        Forget();
    }

    // The callback returns Continue (0) or a status that ends the block: then straight to the dispatcher.
    private void CallInterpreter(int opIndex)
    {
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, Field(_layout.Handle)));
        _e.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.ESI, _blockId));
        _e.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, opIndex));
        _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, (ulong)JitCallbacks.InterpretAddress));
        _e.Emit(Instruction.Create(Code.Call_rm64, Register.RAX));
        _e.Emit(Instruction.Create(Code.Test_rm32_r32, Register.EAX, Register.EAX));
        _e.JccTo(ConditionCode.ne, _jit.ExitAddress);
    }

    private void ReturnStatus(JitStatus status)
    {
        _e.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.EAX, (int)status));
        _e.JmpTo(_jit.ExitAddress);
    }

    // --- Side exits ---

    /// <summary>Starts a slow path for the current instruction; <see cref="BranchToStub"/> and <see cref="JoinStub"/> complete it.</summary>
    private int NewStub(bool leaves = false)
    {
        _stubs.Add(new SideStub { Label = _e.NewLabel(), JoinLabel = _e.NewLabel(), OpIndex = _opIndex, Leaves = leaves });
        return _stubs.Count - 1;
    }

    /// <summary>Jumps to the stub when <paramref name="condition"/> holds, recording the register state there.</summary>
    private void BranchToStub(int stub, ConditionCode condition)
    {
        SideStub s = _stubs[stub];
        s.AtBranch = _state;
        _stubs[stub] = s;
        _e.Jcc(condition, s.Label);
    }

    /// <summary>Where the slow path rejoins: after the instruction, with the state the fast path has here.</summary>
    private void JoinStub(int stub)
    {
        SideStub s = _stubs[stub];
        s.AtJoin = _state;
        _stubs[stub] = s;
        _e.Bind(s.JoinLabel);
    }

    // Each slow path: commit the guest registers as they were at the branch (flags are in the slot,
    // memory instructions save them before the TLB check), let the interpreter run the instruction,
    // then load what the fast path has cached at the join.
    private void EmitSideStubs()
    {
        foreach (SideStub s in _stubs)
        {
            _e.Bind(s.Label);
            RegisterState branch = s.AtBranch;
            EmitStores(ref branch);
            CallInterpreter(s.OpIndex);
            if (s.Leaves)
            {
                ReturnStatus(JitStatus.Lookup);
                continue;
            }
            RegisterState join = s.AtJoin;
            EmitLoads(ref join);
            if (join.Flags != FlagsLocation.Slot)
                EmitRestoreFlags();
            _e.Jmp(s.JoinLabel);
        }
    }

    // --- Block exits ---

    /// <summary>Leaves the block for a known guest address through a patchable jump.</summary>
    private void DirectExit(ulong target)
    {
        SaveFlags();
        WriteBack(clean: true);
        StoreRip(target);
        _e.Byte(0xE9);
        int site = _e.Position;
        _e.Int32(0);
        _exits.Add(new JitExit { PatchSite = site, Target = target });
    }

    /// <summary>Leaves the block for the guest address in <paramref name="target"/> (64-bit) through the lookup of compiled blocks.</summary>
    private void IndirectExit(Register target)
    {
        SaveFlags();
        WriteBack(clean: true);
        _e.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(_layout.Rip), target));
        _e.JmpTo(_jit.LookupAddress);
    }

    private void StoreRip(ulong rip)
    {
        if ((ulong)(long)(int)rip == rip)
        {
            _e.Emit(Instruction.Create(Code.Mov_rm64_imm32, Field(_layout.Rip), (int)rip));
            return;
        }
        _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, rip));
        _e.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(_layout.Rip), Register.RAX));
    }

    private MemoryOperand Field(int offset) => new(Register.RBX, offset);
}
