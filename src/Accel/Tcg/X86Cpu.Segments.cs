namespace Emu.Accel.Tcg;

// Descriptor tables and segment register loads (Intel SDM vol. 3A, chapter 3
// and 5.5-5.8): the checks MOV/POP Sreg, LDS..LSS and far transfers make, in
// real, protected and IA-32e mode.
internal sealed partial class X86Cpu
{
    /// <summary>Reads the 8-byte descriptor a selector names in the GDT or LDT; #GP(selector) past the table's limit.</summary>
    public ulong ReadDescriptor(ushort selector)
    {
        ulong tableBase, limit;
        if ((selector & 4) != 0)
        {
            if (Ldtr.Unusable || Ldtr.Selector == 0)
                throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
            tableBase = Ldtr.Base;
            limit = Ldtr.Limit;
        }
        else
        {
            tableBase = GdtBase;
            limit = GdtLimit;
        }
        ulong offset = (ulong)(selector & ~7);
        if (offset + 7 > limit)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        return ReadSystem(tableBase + offset, 8);
    }

    /// <summary>The upper half of a 16-byte system descriptor (LDT, TSS in IA-32e mode).</summary>
    private uint ReadDescriptorHigh(ushort selector)
    {
        ulong tableBase = (selector & 4) != 0 ? Ldtr.Base : GdtBase;
        ulong limit = (selector & 4) != 0 ? Ldtr.Limit : GdtLimit;
        ulong offset = (ulong)(selector & ~7) + 8;
        if (offset + 7 > limit)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        return (uint)ReadSystem(tableBase + offset, 4);
    }

    /// <summary>Sets the accessed bit of a code or data descriptor, as the CPU does when it loads one.</summary>
    private void MarkAccessed(ushort selector, ulong descriptor)
    {
        if ((descriptor & (1UL << 40)) != 0)
            return;
        ulong tableBase = (selector & 4) != 0 ? Ldtr.Base : GdtBase;
        WriteSystem(tableBase + (ulong)(selector & ~7) + 5, 1, (descriptor >> 40) | 1);
    }

    /// <summary>MOV/POP to DS, ES, FS, GS or SS, and LDS..LSS.</summary>
    public void LoadSegment(SegmentIndex index, ushort selector)
    {
        ref SegmentRegister s = ref Segments[(int)index];
        if (!ProtectedMode || Virtual8086)
        {
            // Real mode changes the selector and base only: a limit set in protected mode stays (big real mode).
            s.Selector = selector;
            s.Base = (ulong)selector << 4;
            s.Present = s.CodeOrData = true;
            s.Unusable = false;
            if (index == SegmentIndex.Ss)
                UpdateMode();
            return;
        }
        int rpl = selector & 3;
        if ((selector & ~3) == 0)
        {
            // A null selector: fine for data segments (using them faults); for SS only in 64-bit mode below CPL 3.
            if (index == SegmentIndex.Ss && !(CodeBits == 64 && Cpl < 3 && rpl == Cpl))
                throw Fault(ExceptionVector.GeneralProtection, 0);
            s = new SegmentRegister { Selector = selector, Unusable = true, Dpl = (byte)Cpl };
            if (index == SegmentIndex.Ss)
                UpdateMode();
            return;
        }
        ulong descriptor = ReadDescriptor(selector);
        SegmentRegister loaded = SegmentRegister.FromDescriptor(selector, descriptor);
        if (index == SegmentIndex.Ss)
        {
            if (rpl != Cpl || loaded.Dpl != Cpl || !loaded.IsWritable)
                throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
            if (!loaded.Present)
                throw Fault(ExceptionVector.StackFault, (uint)(selector & ~3));
        }
        else
        {
            if (!loaded.IsReadable)
                throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
            if (!loaded.IsConforming && loaded.Dpl < Math.Max(Cpl, rpl))
                throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
            if (!loaded.Present)
                throw Fault(ExceptionVector.SegmentNotPresent, (uint)(selector & ~3));
        }
        MarkAccessed(selector, descriptor);
        loaded.Type |= 1;
        s = loaded;
        if (index == SegmentIndex.Ss)
            UpdateMode();
    }

    /// <summary>
    /// Checks a code segment descriptor as a far JMP or CALL to it does, and
    /// returns it loaded with RPL = CPL (no gates: a call gate, task gate or
    /// TSS raises #GP, which no guest of this VMM needs).
    /// </summary>
    public SegmentRegister CheckFarTarget(ushort selector)
    {
        if ((selector & ~3) == 0)
            throw Fault(ExceptionVector.GeneralProtection, 0);
        ulong descriptor = ReadDescriptor(selector);
        SegmentRegister target = SegmentRegister.FromDescriptor(selector, descriptor);
        uint error = (uint)(selector & ~3);
        if (!target.IsCode)
            throw Fault(ExceptionVector.GeneralProtection, error);
        if (target.IsConforming ? target.Dpl > Cpl : ((selector & 3) > Cpl || target.Dpl != Cpl))
            throw Fault(ExceptionVector.GeneralProtection, error);
        if (!target.Present)
            throw Fault(ExceptionVector.SegmentNotPresent, error);
        if (LongModeActive && target.Long && target.DefaultBig)
            throw Fault(ExceptionVector.GeneralProtection, error);
        MarkAccessed(selector, descriptor);
        target.Type |= 1;
        target.Selector = (ushort)((selector & ~3) | Cpl);
        return target;
    }

    /// <summary>Loads CS (after the checks) and recomputes the mode it implies.</summary>
    public void LoadCodeSegment(in SegmentRegister cs)
    {
        Cs = cs;
        UpdateMode();
    }

    /// <summary>CS in real mode (and virtual-8086 mode): base = selector * 16.</summary>
    public void LoadRealModeCodeSegment(ushort selector)
    {
        ulong limit = Cs.Limit;
        Cs = SegmentRegister.RealMode(selector);
        Cs.Type = 0xB;
        // Real mode keeps the limit the last protected-mode load left (big real mode).
        Cs.Limit = (uint)Math.Max(limit, 0xFFFF);
        UpdateMode();
    }

    /// <summary>After a return to an outer privilege level: data segments the new CPL may not use become null (SDM 5.8.6).</summary>
    public void NullInaccessibleDataSegments()
    {
        NullIfInaccessible(ref Segments[(int)SegmentIndex.Es]);
        NullIfInaccessible(ref Segments[(int)SegmentIndex.Ds]);
        NullIfInaccessible(ref Segments[(int)SegmentIndex.Fs]);
        NullIfInaccessible(ref Segments[(int)SegmentIndex.Gs]);
    }

    private void NullIfInaccessible(ref SegmentRegister s)
    {
        if (!s.Unusable && !s.IsConforming && s.Dpl < Cpl)
        {
            s.Selector = 0;
            s.Unusable = true;
        }
    }

    /// <summary>LLDT: a selector of an LDT descriptor in the GDT (or null).</summary>
    public void LoadLdt(ushort selector)
    {
        if ((selector & ~3) == 0)
        {
            Ldtr = new SegmentRegister { Selector = selector, Unusable = true };
            return;
        }
        if ((selector & 4) != 0)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        ulong descriptor = ReadDescriptor(selector);
        SegmentRegister ldt = SegmentRegister.FromDescriptor(selector, descriptor, LongModeActive ? ReadDescriptorHigh(selector) : 0);
        if (ldt.CodeOrData || ldt.Type != 2)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        if (!ldt.Present)
            throw Fault(ExceptionVector.SegmentNotPresent, (uint)(selector & ~3));
        Ldtr = ldt;
    }

    /// <summary>LTR: an available TSS in the GDT, which becomes busy.</summary>
    public void LoadTaskRegister(ushort selector)
    {
        if ((selector & ~3) == 0 || (selector & 4) != 0)
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        ulong descriptor = ReadDescriptor(selector);
        SegmentRegister tss = SegmentRegister.FromDescriptor(selector, descriptor, LongModeActive ? ReadDescriptorHigh(selector) : 0);
        // Available 16-bit (1) or 32/64-bit (9) TSS.
        if (tss.CodeOrData || (tss.Type != 1 && tss.Type != 9) || (LongModeActive && tss.Type != 9))
            throw Fault(ExceptionVector.GeneralProtection, (uint)(selector & ~3));
        if (!tss.Present)
            throw Fault(ExceptionVector.SegmentNotPresent, (uint)(selector & ~3));
        WriteSystem(GdtBase + (ulong)(selector & ~7) + 5, 1, (descriptor >> 40) | 2);
        tss.Type |= 2;
        Tr = tss;
    }
}
