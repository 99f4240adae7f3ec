using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// Memory operands: the effective address from the cached guest registers,
// the FS or GS base in 64-bit mode (the other segments have base 0 there and
// no limit), then the software TLB inline, as the interpreter's fast path:
// the entry for the page, its tag for this kind of access compared with the
// page of the operand's last byte (so a page-crossing access, an I/O page or
// an invalid entry all miss), and the entry's addend turning the linear
// address into a host one. A miss runs the instruction in the interpreter.
internal sealed partial class BlockCompiler
{
    /// <summary>RSI = the offset of the memory operand in its segment (LEA's result), wrapped at the address size.</summary>
    private void EffectiveAddress(ref DecodedOp op)
    {
        bool wide = op.AddressSize == 8;
        long displacement = wide ? (long)op.Displacement : (int)(uint)op.Displacement;
        if (op.Base < 0 && op.Index < 0)
        {
            ulong value = op.Displacement & op.AddressMask;
            _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RSI, value));
            return;
        }
        Register baseRegister = Register.None, indexRegister = Register.None;
        if (op.Base >= 0)
            baseRegister = HomeRegister(Home(op.Base, load: true), wide ? 8 : 4);
        if (op.Index >= 0)
            indexRegister = HomeRegister(Home(op.Index, load: true), wide ? 8 : 4);
        if (displacement != (int)displacement)
        {
            // Only a 64-bit displacement with registers: not produced by the decoder for ModRM forms, kept for safety.
            _e.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RSI, (ulong)displacement));
            if (baseRegister != Register.None)
                _e.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(Register.RSI, baseRegister, 1)));
            if (indexRegister != Register.None)
                _e.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(Register.RSI, indexRegister, 1 << op.ScaleShift)));
            return;
        }
        // Iced's size of a 32-bit displacement: 8 under 64-bit addressing (sign-extended), 4 under 32-bit.
        var memory = new MemoryOperand(baseRegister, indexRegister, 1 << op.ScaleShift, displacement, displacement == 0 ? 0 : (sbyte)displacement == displacement ? 1 : wide ? 8 : 4);
        // A 32-bit LEA zero-extends: the wrap of a 32-bit address size.
        _e.Emit(Instruction.Create(wide ? Code.Lea_r64_m : Code.Lea_r32_m, wide ? Register.RSI : Register.ESI, memory));
    }

    /// <summary>RSI = the linear address of the memory operand (flags must already be safe in the slot).</summary>
    private void LinearAddress(ref DecodedOp op)
    {
        EffectiveAddress(ref op);
        if (op.Segment == SegmentIndex.Fs)
            _e.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RSI, Field(_layout.FsBase)));
        else if (op.Segment == SegmentIndex.Gs)
            _e.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RSI, Field(_layout.GsBase)));
    }

    /// <summary>
    /// Translates the linear address in RSI for an access of <paramref name="size"/>
    /// bytes into a host address in RSI, or branches to <paramref name="stub"/>.
    /// <paramref name="aligned"/>: a locked access must be naturally aligned
    /// (the host's LOCK would otherwise be a split lock; the interpreter's
    /// machine-wide lock serves those). Uses RAX and RDX; clobbers RFLAGS.
    /// </summary>
    private void TranslateAddress(int size, bool write, bool aligned, int stub)
    {
        _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Register.RSI));
        _e.Emit(Instruction.Create(Code.Shr_rm64_imm8, Register.RAX, 12));
        _e.Emit(Instruction.Create(Code.And_rm32_imm32, Register.EAX, X86Cpu.JitTlbIndexMask));
        _e.Emit(Instruction.Create(Code.Imul_r32_rm32_imm32, Register.EAX, Register.EAX, _layout.TlbEntrySize));
        _e.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RAX, Field(_layout.Tlb)));
        if (size > 1)
            _e.Emit(Instruction.Create(Code.Lea_r64_m, Register.RDX, new MemoryOperand(Register.RSI, size - 1)));
        else
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, Register.RSI));
        _e.Emit(Instruction.Create(Code.And_rm64_imm32, Register.RDX, unchecked((int)0xFFFF_F000)));
        _e.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RDX, new MemoryOperand(Register.RAX, write ? _layout.TlbWriteTag : _layout.TlbReadTag)));
        BranchToStub(stub, ConditionCode.ne);
        if (aligned && size > 1)
        {
            _e.Emit(Instruction.Create(Code.Test_rm32_imm32, Register.ESI, size - 1));
            BranchToStub(stub, ConditionCode.ne);
        }
        _e.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RSI, new MemoryOperand(Register.RAX, _layout.TlbAddend)));
    }

    /// <summary>The whole fast path of a memory operand: flags saved, linear address, translation. RSI = host address.</summary>
    private void MemoryOperandAddress(ref DecodedOp op, int size, bool write, bool aligned, int stub)
    {
        ClobberFlags();
        LinearAddress(ref op);
        TranslateAddress(size, write, aligned, stub);
    }
}
