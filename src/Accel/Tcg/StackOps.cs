using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>PUSH, POP, PUSHF/POPF, PUSHA/POPA, ENTER and LEAVE (Intel SDM vol. 2).</summary>
internal static class StackOps
{
    private static int StackOperandSize(ref DecodedOp op) => Math.Abs(op.I.StackPointerIncrement);

    public static void Push(X86Cpu cpu, ref DecodedOp op)
    {
        int size = StackOperandSize(ref op);
        ulong value;
        if (op.I.Op0Kind == OpKind.Register)
        {
            Register r = op.I.Op0Register;
            value = RegisterInfo.Kind(r) == RegisterKind.Segment ? cpu.Segments[RegisterInfo.Number(r)].Selector : cpu.ReadGpr(r);
        }
        else
        {
            value = cpu.ReadOperand(ref op, 0, size);
        }
        cpu.Push(value, size);
    }

    public static void Pop(X86Cpu cpu, ref DecodedOp op)
    {
        int size = StackOperandSize(ref op);
        ulong value = cpu.PeekStack(0, size);
        if (op.I.Op0Kind == OpKind.Register)
        {
            Register r = op.I.Op0Register;
            if (RegisterInfo.Kind(r) == RegisterKind.Segment)
            {
                var index = (SegmentIndex)RegisterInfo.Number(r);
                cpu.LoadSegment(index, (ushort)value);
                cpu.AdjustStack(size);
                if (index == SegmentIndex.Ss)
                {
                    cpu.InterruptShadow = true;
                    cpu.ShadowSetAt = cpu.InstructionStart;
                }
                return;
            }
            cpu.AdjustStack(size);
            cpu.WriteGpr(r, value);
            return;
        }
        // POP to memory computes the address with RSP already incremented.
        ulong saved = cpu.Rsp;
        cpu.AdjustStack(size);
        try
        {
            cpu.Write(cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size, value);
        }
        catch (CpuException)
        {
            cpu.Rsp = saved;
            throw;
        }
    }

    public static void Pushf(X86Cpu cpu, ref DecodedOp op)
    {
        if (cpu.Virtual8086 && cpu.Iopl < 3)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        // The image has VM and RF clear.
        cpu.Push(cpu.GetRflags() & ~(X86Cpu.FlagVm | X86Cpu.FlagRf), StackOperandSize(ref op));
    }

    public static void Popf(X86Cpu cpu, ref DecodedOp op)
    {
        int size = StackOperandSize(ref op);
        if (cpu.Virtual8086 && cpu.Iopl < 3)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ulong value = cpu.Pop(size);
        cpu.LoadFlagsFromStack(value, size);
    }

    public static void Pusha(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Mnemonic == Mnemonic.Pushad ? 4 : 2;
        ulong sp = cpu.Rsp;
        for (int i = 0; i < 8; i++)
            cpu.Push(i == 4 ? sp : cpu.Gpr(i), size); // EAX, ECX, EDX, EBX, (E)SP as it was, EBP, ESI, EDI
    }

    public static void Popa(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Mnemonic == Mnemonic.Popad ? 4 : 2;
        for (int i = 7; i >= 0; i--)
        {
            ulong value = cpu.Pop(size);
            if (i == 4)
                continue; // the saved SP is skipped
            ref ulong r = ref cpu.Gpr(i);
            r = size == 4 ? (uint)value : (r & ~0xFFFFUL) | (ushort)value;
        }
    }

    // ENTER and LEAVE move RSP by more (or other) than one operand, so Iced's StackPointerIncrement
    // (the frame size plus the pushes for ENTER, 0 for LEAVE) is not their operand size: the code says
    // it (SDM ENTER, LEAVE: 16, 32 or 64 bits; in 64-bit mode 64, or 16 with 66h).
    private static int FrameOperandSize(ref DecodedOp op) => op.I.Code switch
    {
        Code.Enterw_imm16_imm8 or Code.Leavew => 2,
        Code.Enterd_imm16_imm8 or Code.Leaved => 4,
        _ => 8,
    };

    // SDM ENTER: push RBP, copy level - 1 frame pointers from below the old RBP, push the new frame
    // pointer, then RBP = the frame and RSP drops by the frame size. The pushes are written at addresses
    // worked out from RSP, and RSP and RBP change only after all of them (and the reads) succeeded:
    // a fault in the middle restarts ENTER with the registers as they were, as on hardware.
    public static void Enter(X86Cpu cpu, ref DecodedOp op)
    {
        int size = FrameOperandSize(ref op);
        ulong frameSize = op.I.Immediate16;
        int level = op.I.Immediate8_2nd & 31;
        ulong mask = cpu.StackBits == 64 ? ulong.MaxValue : cpu.StackBits == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        ulong sp = cpu.Rsp & mask;
        sp = (sp - (ulong)size) & mask;
        cpu.Write(cpu.Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Write), size, cpu.Rbp);
        ulong frame = sp;
        if (level > 0)
        {
            ulong bp = cpu.Rbp;
            for (int i = 1; i < level; i++)
            {
                bp = (bp - (ulong)size) & mask;
                ulong saved = cpu.Read(cpu.Linear(SegmentIndex.Ss, bp, size, MemoryAccess.Read), size);
                sp = (sp - (ulong)size) & mask;
                cpu.Write(cpu.Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Write), size, saved);
            }
            sp = (sp - (ulong)size) & mask;
            cpu.Write(cpu.Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Write), size, frame);
        }
        long pushed = (long)(((cpu.Rsp & mask) - sp) & mask);
        SetBp(cpu, frame, size);
        cpu.AdjustStack(-(pushed + (long)frameSize));
    }

    public static void Leave(X86Cpu cpu, ref DecodedOp op)
    {
        int size = FrameOperandSize(ref op);
        ulong mask = cpu.StackBits == 64 ? ulong.MaxValue : cpu.StackBits == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        ulong bp = cpu.Rbp & mask;
        ulong value = cpu.Read(cpu.Linear(SegmentIndex.Ss, bp, size, MemoryAccess.Read), size);
        cpu.Rsp = cpu.StackBits == 64 ? bp + (ulong)size : cpu.StackBits == 32 ? (uint)(bp + (ulong)size) : (cpu.Rsp & ~0xFFFFUL) | (ushort)(bp + (ulong)size);
        SetBp(cpu, value, size);
    }

    private static void SetBp(X86Cpu cpu, ulong value, int size) =>
        cpu.Rbp = size == 8 ? value : size == 4 ? (uint)value : (cpu.Rbp & ~0xFFFFUL) | (ushort)value;
}
