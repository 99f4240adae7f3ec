namespace Emu.Accel.Tcg;

// Delivery of interrupts and exceptions through the IVT (real mode) or the
// IDT (protected and IA-32e mode), with the stack switch through the TSS and
// the double- and triple-fault rules (Intel SDM vol. 3A, chapter 6).
internal sealed partial class X86Cpu
{
    /// <summary>Delivers a guest exception raised by an instruction (RIP is the instruction's).</summary>
    public void RaiseException(int vector, uint errorCode, bool hasErrorCode) =>
        DeliverWithRules(vector, errorCode, hasErrorCode, EventKind.Exception);

    /// <summary>Takes a hardware interrupt (or NMI) between instructions.</summary>
    public void DeliverExternal(int vector)
    {
        Halted = false;
        DeliverWithRules(vector, 0, false, EventKind.External);
    }

    /// <summary>INT n / INT3 / INTO, with RIP already past the instruction.</summary>
    public void SoftwareInterrupt(int vector, EventKind kind) => DeliverWithRules(vector, 0, false, kind);

    // A fault while delivering an event: two contributory exceptions, or a page
    // fault followed by a page fault or a contributory one, make a double
    // fault; a fault while delivering a double fault shuts the CPU down
    // (triple fault); otherwise the new exception is delivered instead.
    private void DeliverWithRules(int vector, uint errorCode, bool hasErrorCode, EventKind kind)
    {
        while (true)
        {
            try
            {
                Deliver(vector, errorCode, hasErrorCode, kind);
                return;
            }
            catch (CpuException e) when (ReferenceEquals(e, _exception))
            {
                int second = e.Vector;
                if (kind == EventKind.Exception && vector == ExceptionVector.DoubleFault)
                {
                    EnterShutdown();
                    return;
                }
                bool doubleFault = kind == EventKind.Exception
                    && ((ExceptionVector.IsContributory(vector) && ExceptionVector.IsContributory(second))
                        || (vector == ExceptionVector.PageFault && (second == ExceptionVector.PageFault || ExceptionVector.IsContributory(second))));
                if (doubleFault)
                {
                    vector = ExceptionVector.DoubleFault;
                    errorCode = 0;
                    hasErrorCode = true;
                }
                else
                {
                    vector = second;
                    errorCode = e.ErrorCode;
                    hasErrorCode = e.HasErrorCode;
                }
                kind = EventKind.Exception;
            }
        }
    }

    /// <summary>The CPU stops (triple fault); the VMM reports it and resets or ends the machine.</summary>
    private void EnterShutdown()
    {
        ShutdownState = true;
        Halted = true;
    }

    // The RFLAGS image an event pushes: for a fault (any exception but a debug
    // exception) RF is set in it, so that IRET back to the faulting instruction does
    // not take an instruction breakpoint on it again (SDM vol. 3A, 18.3.1.1 and 6.12.1).
    private ulong PushedFlags(int vector, EventKind kind) =>
        kind == EventKind.Exception && vector != ExceptionVector.Debug ? GetRflags() | FlagRf : GetRflags();

    private void Deliver(int vector, uint errorCode, bool hasErrorCode, EventKind kind)
    {
        if (!ProtectedMode)
            DeliverRealMode(vector);
        else if (LongModeActive)
            DeliverLongMode(vector, errorCode, hasErrorCode, kind);
        else
            DeliverProtectedMode(vector, errorCode, hasErrorCode, kind);
        if (vector == ExceptionVector.Nmi && kind == EventKind.External)
            NmiBlocked = true;
    }

    private void DeliverRealMode(int vector)
    {
        ulong entryOffset = (ulong)vector * 4;
        if (entryOffset + 3 > IdtLimit)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(vector * 8 + 2));
        uint entry = (uint)ReadSystem(IdtBase + entryOffset, 4);
        ushort flags = (ushort)GetRflags();
        Push(flags, 2);
        Push(Cs.Selector, 2);
        Push((ushort)Rip, 2);
        SetSystemFlag(FlagIf | FlagTf | FlagAc, false);
        LoadRealModeCodeSegment((ushort)(entry >> 16));
        Rip = entry & 0xFFFF;
    }

    // The error code for a fault about an IDT entry: IDT bit, EXT for external events.
    private static uint IdtError(int vector, EventKind kind) => (uint)(vector * 8 + 2) | (kind == EventKind.External ? 1u : 0u);

    private void DeliverProtectedMode(int vector, uint errorCode, bool hasErrorCode, EventKind kind)
    {
        if (Virtual8086)
            throw Fault(ExceptionVector.GeneralProtection, 0); // virtual-8086 mode is not implemented
        ulong entryOffset = (ulong)vector * 8;
        if (entryOffset + 7 > IdtLimit)
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        ulong gate = ReadSystem(IdtBase + entryOffset, 8);
        int type = (int)((gate >> 40) & 0xF);
        int gateDpl = (int)((gate >> 45) & 3);
        bool is32 = type is 0xE or 0xF;
        if (type is not (0x6 or 0x7 or 0xE or 0xF))
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        if (kind is EventKind.Software or EventKind.SoftwareException && gateDpl < Cpl)
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        if ((gate & (1UL << 47)) == 0)
            throw Fault(ExceptionVector.SegmentNotPresent, IdtError(vector, kind));
        ushort selector = (ushort)(gate >> 16);
        ulong offset = (gate & 0xFFFF) | ((gate >> 32) & 0xFFFF_0000);
        SegmentRegister target = CheckGateTarget(selector, kind);
        int newCpl = target.IsConforming ? Cpl : target.Dpl;
        int size = is32 ? 4 : 2;
        ulong flags = PushedFlags(vector, kind);
        SegmentRegister newSs = Ss;
        ulong sp = Rsp;
        bool inner = newCpl < Cpl;
        if (inner)
        {
            // The inner stack from the TSS: SSn:ESPn (32-bit TSS) or SSn:SPn (16-bit).
            bool tss32 = (Tr.Type & 8) != 0;
            ulong slot = tss32 ? 4 + (ulong)newCpl * 8 : 2 + (ulong)newCpl * 4;
            if (slot + (tss32 ? 5UL : 3UL) > Tr.Limit)
                throw Fault(ExceptionVector.InvalidTss, (uint)(Tr.Selector & ~3));
            sp = tss32 ? ReadSystem(Tr.Base + slot, 4) : ReadSystem(Tr.Base + slot, 2);
            ushort ssSelector = (ushort)ReadSystem(Tr.Base + slot + (tss32 ? 4UL : 2UL), 2);
            newSs = CheckInnerStack(ssSelector, newCpl);
        }
        ulong ssMask = newSs.DefaultBig ? 0xFFFF_FFFFUL : 0xFFFFUL;
        var frame = new StackFrameWriter(this, newSs.Base, sp, ssMask, size);
        if (inner)
        {
            frame.Push(Ss.Selector);
            frame.Push(Rsp);
        }
        frame.Push(flags);
        frame.Push(Cs.Selector);
        frame.Push(Rip);
        if (hasErrorCode)
            frame.Push(errorCode);
        // Everything is written: now the CPU state changes.
        target.Selector = (ushort)((selector & ~3) | newCpl);
        if (inner)
            Ss = newSs;
        Rsp = newSs.DefaultBig ? (uint)frame.Sp : (Rsp & ~0xFFFFUL) | (ushort)frame.Sp;
        Cs = target;
        Rip = is32 ? offset : offset & 0xFFFF;
        SetSystemFlag(FlagTf | FlagNt | FlagRf | FlagVm, false);
        if ((type & 1) == 0)
            SetSystemFlag(FlagIf, false);
        UpdateMode();
    }

    private void DeliverLongMode(int vector, uint errorCode, bool hasErrorCode, EventKind kind)
    {
        ulong entryOffset = (ulong)vector * 16;
        if (entryOffset + 15 > IdtLimit)
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        ulong low = ReadSystem(IdtBase + entryOffset, 8);
        ulong high = ReadSystem(IdtBase + entryOffset + 8, 8);
        int type = (int)((low >> 40) & 0xF);
        int gateDpl = (int)((low >> 45) & 3);
        if (type is not (0xE or 0xF))
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        if (kind is EventKind.Software or EventKind.SoftwareException && gateDpl < Cpl)
            throw Fault(ExceptionVector.GeneralProtection, IdtError(vector, kind));
        if ((low & (1UL << 47)) == 0)
            throw Fault(ExceptionVector.SegmentNotPresent, IdtError(vector, kind));
        ushort selector = (ushort)(low >> 16);
        ulong offset = (low & 0xFFFF) | ((low >> 32) & 0xFFFF_0000) | ((high & 0xFFFF_FFFF) << 32);
        int ist = (int)((low >> 32) & 7);
        SegmentRegister target = CheckGateTarget(selector, kind);
        if (!target.Long || target.DefaultBig)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        int newCpl = target.IsConforming ? Cpl : target.Dpl;
        ulong sp = Rsp;
        if (ist != 0)
            sp = ReadTss64(36 + (ulong)(ist - 1) * 8);
        else if (newCpl < Cpl)
            sp = ReadTss64(4 + (ulong)newCpl * 8);
        if (!IsCanonical(sp) || !IsCanonical(offset))
            throw Fault(ExceptionVector.GeneralProtection, 0);
        sp &= ~0xFUL;
        var frame = new StackFrameWriter(this, 0, sp, ulong.MaxValue, 8);
        frame.Push(Ss.Selector);
        frame.Push(Rsp);
        frame.Push(PushedFlags(vector, kind));
        frame.Push(Cs.Selector);
        frame.Push(Rip);
        if (hasErrorCode)
            frame.Push(errorCode);
        if (newCpl != Cpl)
            Ss = new SegmentRegister { Selector = (ushort)newCpl, Unusable = true, Dpl = (byte)newCpl, CodeOrData = true, Type = 3, Present = true };
        Rsp = frame.Sp;
        target.Selector = (ushort)((selector & ~3) | newCpl);
        Cs = target;
        Rip = offset;
        SetSystemFlag(FlagTf | FlagNt | FlagRf | FlagVm, false);
        if ((type & 1) == 0)
            SetSystemFlag(FlagIf, false);
        UpdateMode();
    }

    private ulong ReadTss64(ulong offset)
    {
        if (offset + 7 > Tr.Limit)
            throw Fault(ExceptionVector.InvalidTss, (uint)(Tr.Selector & ~3));
        return ReadSystem(Tr.Base + offset, 8);
    }

    // The code segment an interrupt gate names: a present code segment whose DPL is at most the CPL.
    private SegmentRegister CheckGateTarget(ushort selector, EventKind kind)
    {
        uint ext = kind == EventKind.External ? 1u : 0u;
        if ((selector & ~3) == 0)
            throw Fault(ExceptionVector.GeneralProtection, ext);
        ulong descriptor = ReadDescriptor(selector);
        SegmentRegister target = SegmentRegister.FromDescriptor(selector, descriptor);
        if (!target.IsCode || target.Dpl > Cpl)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3) | ext);
        if (!target.Present)
            throw Fault(ExceptionVector.SegmentNotPresent, (uint)(selector & ~3) | ext);
        return target;
    }

    // The stack segment of an inner privilege level (from the TSS): its RPL and DPL are that level, it is a writable data segment.
    private SegmentRegister CheckInnerStack(ushort selector, int cpl)
    {
        if ((selector & ~3) == 0 || (selector & 3) != cpl)
            throw Fault(ExceptionVector.InvalidTss, (uint)(selector & ~3));
        SegmentRegister ss = SegmentRegister.FromDescriptor(selector, ReadDescriptor(selector));
        if (ss.Dpl != cpl || !ss.IsWritable)
            throw Fault(ExceptionVector.InvalidTss, (uint)(selector & ~3));
        if (!ss.Present)
            throw Fault(ExceptionVector.StackFault, (uint)(selector & ~3));
        return ss;
    }
}
