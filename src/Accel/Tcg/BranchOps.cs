using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>JMP, Jcc, CALL, RET (near and far), LOOP/JCXZ, INT n/INT3/INTO, IRET (Intel SDM vol. 2 and vol. 3A 5.8, 6.14).</summary>
internal static class BranchOps
{
    private static int StackOperandSize(ref DecodedOp op) => Math.Abs(op.I.StackPointerIncrement);

    public static void Jmp(X86Cpu cpu, ref DecodedOp op)
    {
        switch (op.I.Op0Kind)
        {
            case OpKind.NearBranch16:
            case OpKind.NearBranch32:
            case OpKind.NearBranch64:
                cpu.Jump(op.Target);
                return;
            case OpKind.FarBranch16:
            case OpKind.FarBranch32:
                FarJump(cpu, op.I.FarBranchSelector, op.I.Op0Kind == OpKind.FarBranch16 ? op.I.FarBranch16 : op.I.FarBranch32);
                return;
        }
        if (op.I.IsJmpFarIndirect)
        {
            (ushort selector, ulong offset) = ReadFarPointer(cpu, ref op);
            FarJump(cpu, selector, offset);
            return;
        }
        cpu.Jump(cpu.ReadOperand(ref op, 0, op.OperandSize));
    }

    // m16:16, m16:32 or m16:64: the offset, then the selector.
    private static (ushort Selector, ulong Offset) ReadFarPointer(X86Cpu cpu, ref DecodedOp op)
    {
        int offsetSize = op.MemorySize - 2;
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read);
        ulong offset = cpu.Read(linear, offsetSize);
        ushort selector = (ushort)cpu.Read(cpu.Linear(op.Segment, (cpu.EffectiveAddress(ref op) + (ulong)offsetSize) & op.AddressMask, 2, MemoryAccess.Read), 2);
        return (selector, offset);
    }

    private static void FarJump(X86Cpu cpu, ushort selector, ulong offset)
    {
        if (!cpu.ProtectedMode || cpu.Virtual8086)
        {
            cpu.LoadRealModeCodeSegment(selector);
            cpu.Rip = offset;
            return;
        }
        SegmentRegister target = cpu.CheckFarTarget(selector);
        CheckOffset(cpu, target, offset);
        cpu.LoadCodeSegment(target);
        cpu.Rip = offset;
    }

    private static void CheckOffset(X86Cpu cpu, in SegmentRegister target, ulong offset)
    {
        bool long64 = cpu.LongModeActive && target.Long;
        if (long64 ? !X86Cpu.IsCanonical(offset) : offset > target.Limit)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
    }

    public static void Jcc(X86Cpu cpu, ref DecodedOp op)
    {
        if (cpu.Condition(op.Condition))
            cpu.Jump(op.Target);
    }

    public static void Call(X86Cpu cpu, ref DecodedOp op)
    {
        int size = StackOperandSize(ref op);
        switch (op.I.Op0Kind)
        {
            case OpKind.NearBranch16:
            case OpKind.NearBranch32:
            case OpKind.NearBranch64:
            {
                NearCall(cpu, op.Target, size);
                return;
            }
            case OpKind.FarBranch16:
            case OpKind.FarBranch32:
                FarCall(cpu, op.I.FarBranchSelector, op.I.Op0Kind == OpKind.FarBranch16 ? op.I.FarBranch16 : op.I.FarBranch32, size);
                return;
        }
        if (op.I.IsCallFarIndirect)
        {
            (ushort selector, ulong offset) = ReadFarPointer(cpu, ref op);
            FarCall(cpu, selector, offset, size);
            return;
        }
        NearCall(cpu, cpu.ReadOperand(ref op, 0, op.OperandSize), size);
    }

    // SDM CALL (near): "IF stack not large enough for a 8-byte return address THEN #SS(0)", then
    // "Push(RIP); RIP <- tempRIP", which raises #GP(0) for a non-canonical target (or one beyond the CS
    // limit). A fault changes nothing: the stack slot is checked first (a #PF or #SS there wins, as on
    // the host), then the target, and only then is the return address written and RSP moved.
    private static void NearCall(X86Cpu cpu, ulong target, int size)
    {
        ulong returnAddress = cpu.Rip;
        ulong mask = cpu.StackBits == 64 ? ulong.MaxValue : cpu.StackBits == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        ulong slot = cpu.Linear(SegmentIndex.Ss, (cpu.Rsp - (ulong)size) & mask, size, MemoryAccess.Write);
        cpu.ProbeWrite(slot);
        // A slot across a page boundary: the second page faults with CR2 = its first byte.
        if (((slot ^ (slot + (ulong)size - 1)) & X86Cpu.PageMask) != 0)
            cpu.ProbeWrite((slot + (ulong)size - 1) & X86Cpu.PageMask);
        cpu.Jump(target);
        cpu.Push(returnAddress, size);
    }

    private static void FarCall(X86Cpu cpu, ushort selector, ulong offset, int size)
    {
        ushort oldCs = cpu.Cs.Selector;
        ulong oldIp = cpu.Rip;
        if (!cpu.ProtectedMode || cpu.Virtual8086)
        {
            cpu.Push(oldCs, size);
            cpu.Push(oldIp, size);
            cpu.LoadRealModeCodeSegment(selector);
            cpu.Rip = offset;
            return;
        }
        SegmentRegister target = cpu.CheckFarTarget(selector);
        CheckOffset(cpu, target, offset);
        ulong savedSp = cpu.Rsp;
        try
        {
            cpu.Push(oldCs, size);
            cpu.Push(oldIp, size);
        }
        catch (CpuException)
        {
            cpu.Rsp = savedSp;
            throw;
        }
        cpu.LoadCodeSegment(target);
        cpu.Rip = offset;
    }

    public static void Ret(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Code switch
        {
            Code.Retnw or Code.Retnw_imm16 => 2,
            Code.Retnd or Code.Retnd_imm16 => 4,
            _ => 8,
        };
        ulong target = cpu.PeekStack(0, size);
        cpu.Jump(target);
        cpu.AdjustStack(size + (op.I.OpCount > 0 ? op.I.Immediate16 : 0));
    }

    public static void Retf(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Code switch
        {
            Code.Retfw or Code.Retfw_imm16 => 2,
            Code.Retfd or Code.Retfd_imm16 => 4,
            _ => 8,
        };
        int release = op.I.OpCount > 0 ? op.I.Immediate16 : 0;
        ulong offset = cpu.PeekStack(0, size);
        ushort selector = (ushort)cpu.PeekStack(size, size);
        if (!cpu.ProtectedMode || cpu.Virtual8086)
        {
            cpu.LoadRealModeCodeSegment(selector);
            cpu.Rip = offset;
            cpu.AdjustStack(2 * size + release);
            return;
        }
        int rpl = selector & 3;
        if (rpl < cpu.Cpl)
            throw cpu.Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        SegmentRegister target = ReturnTarget(cpu, selector);
        CheckOffset(cpu, target, offset);
        if (rpl == cpu.Cpl)
        {
            cpu.LoadCodeSegment(target);
            cpu.Rip = offset;
            cpu.AdjustStack(2 * size + release);
            return;
        }
        // To an outer level: SS:SP follow the parameters on the stack.
        ulong sp = cpu.PeekStack(2 * size + release, size);
        ushort ss = (ushort)cpu.PeekStack(3 * size + release, size);
        SegmentRegister stack = OuterStack(cpu, ss, rpl, target);
        cpu.LoadCodeSegment(target);
        cpu.Rip = offset;
        SetOuterStack(cpu, stack, sp + (ulong)release, size);
        cpu.NullInaccessibleDataSegments();
    }

    // The code segment a far RET or IRET returns to, loaded with its RPL as the new CPL.
    private static SegmentRegister ReturnTarget(X86Cpu cpu, ushort selector)
    {
        uint error = (uint)(selector & ~3);
        if ((selector & ~3) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        SegmentRegister target = SegmentRegister.FromDescriptor(selector, cpu.ReadDescriptor(selector));
        int rpl = selector & 3;
        if (!target.IsCode || (target.IsConforming ? target.Dpl > rpl : target.Dpl != rpl))
            throw cpu.Fault(ExceptionVector.GeneralProtection, error);
        if (!target.Present)
            throw cpu.Fault(ExceptionVector.SegmentNotPresent, error);
        if (cpu.LongModeActive && target.Long && target.DefaultBig)
            throw cpu.Fault(ExceptionVector.GeneralProtection, error);
        target.Selector = selector;
        target.Type |= 1;
        return target;
    }

    // The stack of the level returned to: RPL = that level, a writable data segment of that DPL
    // (a null SS only when returning to 64-bit code below CPL 3).
    private static SegmentRegister OuterStack(X86Cpu cpu, ushort selector, int rpl, in SegmentRegister target)
    {
        if ((selector & ~3) == 0)
        {
            if (cpu.LongModeActive && target.Long && rpl != 3)
                return new SegmentRegister { Selector = selector, Unusable = true, Dpl = (byte)rpl, CodeOrData = true, Type = 3, Present = true };
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        }
        uint error = (uint)(selector & ~3);
        if ((selector & 3) != rpl)
            throw cpu.Fault(ExceptionVector.GeneralProtection, error);
        SegmentRegister ss = SegmentRegister.FromDescriptor(selector, cpu.ReadDescriptor(selector));
        if (ss.Dpl != rpl || !ss.IsWritable)
            throw cpu.Fault(ExceptionVector.GeneralProtection, error);
        if (!ss.Present)
            throw cpu.Fault(ExceptionVector.StackFault, error);
        ss.Type |= 1;
        return ss;
    }

    private static void SetOuterStack(X86Cpu cpu, in SegmentRegister ss, ulong sp, int size)
    {
        cpu.Ss = ss;
        cpu.UpdateMode();
        cpu.Rsp = cpu.StackBits == 64 ? sp : cpu.StackBits == 32 ? (uint)sp : (cpu.Rsp & ~0xFFFFUL) | (ushort)sp;
        _ = size;
    }

    public static void Loop(X86Cpu cpu, ref DecodedOp op)
    {
        ulong mask = op.AddressMask;
        ulong count = (cpu.Rcx - 1) & mask;
        cpu.Rcx = op.AddressSize == 8 ? count : op.AddressSize == 4 ? count : (cpu.Rcx & ~0xFFFFUL) | count;
        bool taken = count != 0 && op.I.Mnemonic switch
        {
            Mnemonic.Loope => cpu.Zf,
            Mnemonic.Loopne => !cpu.Zf,
            _ => true,
        };
        if (taken)
            cpu.Jump(op.Target);
    }

    public static void Jcxz(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Rcx & op.AddressMask) == 0)
            cpu.Jump(op.Target);
    }

    public static void Int(X86Cpu cpu, ref DecodedOp op)
    {
        if (cpu.Virtual8086 && cpu.Iopl < 3)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        cpu.SoftwareInterrupt(op.I.Immediate8, EventKind.Software);
    }

    public static void Int3(X86Cpu cpu, ref DecodedOp op) => cpu.SoftwareInterrupt(ExceptionVector.Breakpoint, EventKind.SoftwareException);

    public static void Into(X86Cpu cpu, ref DecodedOp op)
    {
        if (cpu.Of)
            cpu.SoftwareInterrupt(ExceptionVector.Overflow, EventKind.SoftwareException);
    }

    public static void Int1(X86Cpu cpu, ref DecodedOp op) => cpu.SoftwareInterrupt(ExceptionVector.Debug, EventKind.External);

    public static void Iret(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Mnemonic switch
        {
            Mnemonic.Iretq => 8,
            Mnemonic.Iretd => 4,
            _ => 2,
        };
        if (!cpu.ProtectedMode)
        {
            ulong ip = cpu.PeekStack(0, size);
            ushort cs = (ushort)cpu.PeekStack(size, size);
            ulong flags = cpu.PeekStack(2 * size, size);
            cpu.LoadRealModeCodeSegment(cs);
            cpu.Rip = ip;
            cpu.AdjustStack(3 * size);
            ulong keep = size == 2 ? cpu.GetRflags() & ~0xFFFFUL : cpu.GetRflags() & (X86Cpu.FlagVm | X86Cpu.FlagVif | X86Cpu.FlagVip);
            ulong mask = size == 2 ? 0xFFFFUL : ~(X86Cpu.FlagVm | X86Cpu.FlagVif | X86Cpu.FlagVip);
            cpu.SetRflags(keep | (flags & mask));
            cpu.NmiBlocked = false;
            cpu.RequestAttention();
            return;
        }
        if (cpu.Virtual8086)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        if ((cpu.GetRflags() & X86Cpu.FlagNt) != 0 && !cpu.LongModeActive)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0); // task return: hardware task switching is not implemented
        ulong newIp = cpu.PeekStack(0, size);
        ushort selector = (ushort)cpu.PeekStack(size, size);
        ulong newFlags = cpu.PeekStack(2 * size, size);
        if ((newFlags & X86Cpu.FlagVm) != 0 && cpu.Cpl == 0 && !cpu.LongModeActive)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0); // return to virtual-8086 mode: not implemented
        int rpl = selector & 3;
        if (rpl < cpu.Cpl)
            throw cpu.Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        SegmentRegister target = ReturnTarget(cpu, selector);
        CheckOffset(cpu, target, newIp);
        // In 64-bit mode IRET always pops SS:RSP; elsewhere only on a return to an outer level.
        bool popStack = cpu.CodeBits == 64 || rpl > cpu.Cpl;
        SegmentRegister stack = default;
        ulong newSp = 0;
        if (popStack)
        {
            newSp = cpu.PeekStack(3 * size, size);
            ushort ss = (ushort)cpu.PeekStack(4 * size, size);
            stack = OuterStack(cpu, ss, rpl, target);
        }
        // The flags are loaded under the old CPL's rules.
        cpu.LoadFlagsFromStack(newFlags, size);
        cpu.LoadCodeSegment(target);
        cpu.Rip = newIp;
        if (popStack)
            SetOuterStack(cpu, stack, newSp, size);
        else
            cpu.AdjustStack(3 * size);
        if (rpl > 0)
            cpu.NullInaccessibleDataSegments();
        cpu.NmiBlocked = false;
        cpu.RequestAttention();
    }
}
