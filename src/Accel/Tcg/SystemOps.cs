using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// System instructions (Intel SDM vol. 2 and vol. 3A chapters 2, 5): control
/// and debug registers, descriptor tables, LTR/LLDT, INVLPG, HLT, CPUID,
/// RDTSC(P), RDMSR/WRMSR, SWAPGS, SYSCALL/SYSRET, SYSENTER/SYSEXIT, LAR/LSL,
/// VERR/VERW, far pointer loads. Privileged ones raise #GP(0) above CPL 0.
/// </summary>
internal static class SystemOps
{
    private static void RequireCpl0(X86Cpu cpu)
    {
        if (cpu.ProtectedMode && (cpu.Cpl != 0 || cpu.Virtual8086))
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
    }

    // --- Control and debug registers ---

    public static ulong ReadControlRegister(X86Cpu cpu, int n)
    {
        RequireCpl0(cpu);
        return n switch
        {
            0 => cpu.Cr0,
            2 => cpu.Cr2,
            3 => cpu.Cr3,
            4 => cpu.Cr4,
            8 => (ulong)(cpu.Apic?.TaskPriorityClass ?? 0),
            _ => throw cpu.Fault(ExceptionVector.InvalidOpcode),
        };
    }

    public static void WriteControlRegister(X86Cpu cpu, int n, ulong value)
    {
        RequireCpl0(cpu);
        switch (n)
        {
            case 0:
                WriteCr0(cpu, value);
                break;
            case 2:
                cpu.Cr2 = value;
                break;
            case 3:
                if (cpu.LongModeActive && (value >> X86Cpu.PhysicalAddressBits) != 0)
                    throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
                cpu.Cr3 = cpu.LongModeActive ? value : value & 0xFFFF_FFFF;
                cpu.FlushTlb(includingGlobal: false);
                break;
            case 4:
                WriteCr4(cpu, value);
                break;
            case 8:
                if (value > 15)
                    throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
                if (cpu.Apic != null)
                    cpu.Apic.TaskPriorityClass = (byte)value;
                cpu.RequestAttention();
                break;
            default:
                throw cpu.Fault(ExceptionVector.InvalidOpcode);
        }
    }

    private static void WriteCr0(X86Cpu cpu, ulong value)
    {
        if ((value >> 32) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        // PG needs PE; NW needs CD.
        if ((value & X86Cpu.Cr0Pg) != 0 && (value & X86Cpu.Cr0Pe) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        if ((value & X86Cpu.Cr0Nw) != 0 && (value & X86Cpu.Cr0Cd) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        bool pagingOn = (value & X86Cpu.Cr0Pg) != 0;
        if (pagingOn && !cpu.Paging && (cpu.Efer & X86Cpu.EferLme) != 0)
        {
            // Activating IA-32e mode: needs PAE, and not from a 64-bit code segment.
            if ((cpu.Cr4 & X86Cpu.Cr4Pae) == 0 || cpu.Cs.Long)
                throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
            cpu.Efer |= X86Cpu.EferLma;
        }
        if (!pagingOn && cpu.Paging && cpu.LongModeActive)
        {
            if (cpu.CodeBits == 64)
                throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
            cpu.Efer &= ~X86Cpu.EferLma;
        }
        ulong changed = value ^ cpu.Cr0;
        cpu.Cr0 = value | X86Cpu.Cr0Et;
        if ((changed & (X86Cpu.Cr0Pg | X86Cpu.Cr0Wp | X86Cpu.Cr0Pe)) != 0)
            cpu.FlushTlb(includingGlobal: true);
        cpu.UpdateMode();
        cpu.StopBlock = true;
    }

    // CR4 bits this CPU implements.
    private const ulong Cr4Supported = X86Cpu.Cr4Pvi | X86Cpu.Cr4Tsd | X86Cpu.Cr4De | X86Cpu.Cr4Pse | X86Cpu.Cr4Pae | X86Cpu.Cr4Mce
        | X86Cpu.Cr4Pge | X86Cpu.Cr4Pce | X86Cpu.Cr4Osfxsr | X86Cpu.Cr4Osxmmexcpt;

    private static void WriteCr4(X86Cpu cpu, ulong value)
    {
        if ((value & ~Cr4Supported) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        if (cpu.LongModeActive && (value & X86Cpu.Cr4Pae) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ulong changed = value ^ cpu.Cr4;
        cpu.Cr4 = value;
        if ((changed & (X86Cpu.Cr4Pge | X86Cpu.Cr4Pae | X86Cpu.Cr4Pse)) != 0)
            cpu.FlushTlb(includingGlobal: true);
    }

    public static ulong ReadDebugRegister(X86Cpu cpu, int n)
    {
        RequireCpl0(cpu);
        n = DebugRegisterIndex(cpu, n);
        return cpu.Dr[n];
    }

    public static void WriteDebugRegister(X86Cpu cpu, int n, ulong value)
    {
        RequireCpl0(cpu);
        n = DebugRegisterIndex(cpu, n);
        if (n >= 6 && (value >> 32) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        // Kept for the guest to read back; breakpoints are not implemented.
        cpu.Dr[n] = n switch
        {
            6 => value | 0xFFFF_0FF0,
            7 => (value | 0x400) & 0xFFFF_2FFF,
            _ => value,
        };
    }

    // DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD; DR8 and above do not exist.
    private static int DebugRegisterIndex(X86Cpu cpu, int n)
    {
        if (n is 4 or 5)
        {
            if ((cpu.Cr4 & X86Cpu.Cr4De) != 0)
                throw cpu.Fault(ExceptionVector.InvalidOpcode);
            return n + 2;
        }
        if (n > 7)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        return n;
    }

    public static void Lmsw(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        ulong value = cpu.ReadOperand(ref op, 0, 2) & 0xF;
        // LMSW sets PE, MP, EM and TS; it cannot clear PE.
        ulong cr0 = (cpu.Cr0 & ~0xEUL) | value | (cpu.Cr0 & X86Cpu.Cr0Pe);
        WriteCr0(cpu, cr0);
    }

    public static void Smsw(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Op0Kind == OpKind.Register ? op.OperandSize : 2;
        cpu.WriteOperand(ref op, 0, size, cpu.Cr0 & X86Cpu.SizeMask(size));
    }

    public static void Clts(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        cpu.Cr0 &= ~X86Cpu.Cr0Ts;
    }

    // --- Descriptor tables and task register ---

    public static void Lgdt(X86Cpu cpu, ref DecodedOp op) => LoadTable(cpu, ref op, gdt: true);
    public static void Lidt(X86Cpu cpu, ref DecodedOp op) => LoadTable(cpu, ref op, gdt: false);

    // m16&32 (m16&64 in 64-bit mode): the limit, then the base; a 16-bit operand size keeps 24 base bits.
    private static void LoadTable(X86Cpu cpu, ref DecodedOp op, bool gdt)
    {
        RequireCpl0(cpu);
        ulong ea = cpu.EffectiveAddress(ref op);
        int baseSize = cpu.CodeBits == 64 ? 8 : 4;
        ushort limit = (ushort)cpu.Read(cpu.Linear(op.Segment, ea, 2, MemoryAccess.Read), 2);
        ulong tableBase = cpu.Read(cpu.Linear(op.Segment, (ea + 2) & op.AddressMask, baseSize, MemoryAccess.Read), baseSize);
        if (cpu.CodeBits != 64 && op.I.Code is Code.Lgdt_m1632_16 or Code.Lidt_m1632_16)
            tableBase &= 0xFF_FFFF;
        if (cpu.CodeBits == 64 && !X86Cpu.IsCanonical(tableBase))
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        if (gdt)
        {
            cpu.GdtBase = tableBase;
            cpu.GdtLimit = limit;
        }
        else
        {
            cpu.IdtBase = tableBase;
            cpu.IdtLimit = limit;
        }
    }

    public static void Sgdt(X86Cpu cpu, ref DecodedOp op) => StoreTable(cpu, ref op, cpu.GdtBase, cpu.GdtLimit);
    public static void Sidt(X86Cpu cpu, ref DecodedOp op) => StoreTable(cpu, ref op, cpu.IdtBase, cpu.IdtLimit);

    private static void StoreTable(X86Cpu cpu, ref DecodedOp op, ulong tableBase, ushort limit)
    {
        ulong ea = cpu.EffectiveAddress(ref op);
        int baseSize = cpu.CodeBits == 64 ? 8 : 4;
        cpu.Write(cpu.Linear(op.Segment, ea, 2, MemoryAccess.Write), 2, limit);
        cpu.Write(cpu.Linear(op.Segment, (ea + 2) & op.AddressMask, baseSize, MemoryAccess.Write), baseSize, tableBase);
    }

    public static void Lldt(X86Cpu cpu, ref DecodedOp op)
    {
        RequireProtected(cpu);
        RequireCpl0(cpu);
        cpu.LoadLdt((ushort)cpu.ReadOperand(ref op, 0, 2));
    }

    public static void Ltr(X86Cpu cpu, ref DecodedOp op)
    {
        RequireProtected(cpu);
        RequireCpl0(cpu);
        cpu.LoadTaskRegister((ushort)cpu.ReadOperand(ref op, 0, 2));
    }

    public static void Sldt(X86Cpu cpu, ref DecodedOp op)
    {
        RequireProtected(cpu);
        StoreSelector(cpu, ref op, cpu.Ldtr.Selector);
    }

    public static void Str(X86Cpu cpu, ref DecodedOp op)
    {
        RequireProtected(cpu);
        StoreSelector(cpu, ref op, cpu.Tr.Selector);
    }

    private static void StoreSelector(X86Cpu cpu, ref DecodedOp op, ushort selector)
    {
        int size = op.I.Op0Kind == OpKind.Register ? op.OperandSize : 2;
        cpu.WriteOperand(ref op, 0, size, selector);
    }

    private static void RequireProtected(X86Cpu cpu)
    {
        if (!cpu.ProtectedMode || cpu.Virtual8086)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
    }

    // --- TLB, caches, halting ---

    public static void Invlpg(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        ulong ea = cpu.EffectiveAddress(ref op);
        ulong linear = cpu.CodeBits == 64
            ? (op.Segment >= SegmentIndex.Fs ? cpu.Segments[(int)op.Segment].Base + ea : ea)
            : (cpu.Segments[(int)op.Segment].Base + ea) & 0xFFFF_FFFF;
        cpu.FlushTlbPage(linear);
    }

    public static void Wbinvd(X86Cpu cpu, ref DecodedOp op) => RequireCpl0(cpu);

    public static void Hlt(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        cpu.Halted = true;
        cpu.StopBlock = true;
    }

    // --- Identification and time ---

    public static void Cpuid(X86Cpu cpu, ref DecodedOp op)
    {
        cpu.Cpuid.Query((uint)cpu.Rax, (uint)cpu.Rcx, cpu.Index, out uint eax, out uint ebx, out uint ecx, out uint edx);
        cpu.Rax = eax;
        cpu.Rbx = ebx;
        cpu.Rcx = ecx;
        cpu.Rdx = edx;
    }

    public static void Rdtsc(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Cr4 & X86Cpu.Cr4Tsd) != 0 && cpu.Cpl != 0 && cpu.ProtectedMode)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ulong tsc = cpu.ReadTsc();
        cpu.Rax = (uint)tsc;
        cpu.Rdx = tsc >> 32;
    }

    public static void Rdtscp(X86Cpu cpu, ref DecodedOp op)
    {
        Rdtsc(cpu, ref op);
        cpu.Rcx = (uint)cpu.TscAux;
    }

    public static void Rdmsr(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        if (!cpu.TryReadMsr((uint)cpu.Rcx, out ulong value))
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        cpu.Rax = (uint)value;
        cpu.Rdx = value >> 32;
    }

    public static void Wrmsr(X86Cpu cpu, ref DecodedOp op)
    {
        RequireCpl0(cpu);
        ulong value = ((cpu.Rdx & 0xFFFF_FFFF) << 32) | (cpu.Rax & 0xFFFF_FFFF);
        if (!cpu.TryWriteMsr((uint)cpu.Rcx, value))
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
    }

    // --- Fast system calls ---

    public static void Swapgs(X86Cpu cpu, ref DecodedOp op)
    {
        if (cpu.CodeBits != 64)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        RequireCpl0(cpu);
        ref SegmentRegister gs = ref cpu.Segments[(int)SegmentIndex.Gs];
        (gs.Base, cpu.KernelGsBase) = (cpu.KernelGsBase, gs.Base);
    }

    // SYSCALL (SDM vol. 2B): CS and SS from STAR[47:32] as flat ring-0 segments; in
    // 64-bit mode RCX = RIP, R11 = RFLAGS, RIP = LSTAR (CSTAR from compatibility
    // mode), RFLAGS &= ~SFMASK.
    public static void Syscall(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Efer & X86Cpu.EferSce) == 0 || !cpu.ProtectedMode)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        ushort selector = (ushort)(cpu.Star >> 32);
        if (cpu.LongModeActive)
        {
            cpu.Rcx = cpu.Rip;
            ulong flags = cpu.GetRflags();
            cpu.Gpr(11) = flags & ~X86Cpu.FlagRf;
            cpu.Rip = cpu.CodeBits == 64 ? cpu.Lstar : cpu.Cstar;
            cpu.SetRflags(flags & ~cpu.Sfmask & ~X86Cpu.FlagRf);
            cpu.Cs = FlatCode((ushort)(selector & ~3), dpl: 0, longMode: true);
        }
        else
        {
            cpu.Rcx = (uint)cpu.Rip;
            cpu.Rip = (uint)cpu.Star;
            cpu.SetRflags(cpu.GetRflags() & ~(X86Cpu.FlagVm | X86Cpu.FlagIf | X86Cpu.FlagRf));
            cpu.Cs = FlatCode((ushort)(selector & ~3), dpl: 0, longMode: false);
        }
        cpu.Ss = FlatData((ushort)((selector + 8) & ~3), dpl: 0);
        cpu.UpdateMode();
    }

    // SYSRET: back to CPL 3 with CS = STAR[63:48] (+16 for a 64-bit return), SS = STAR[63:48] + 8,
    // RIP = RCX, RFLAGS = R11. A non-canonical RCX raises #GP in ring 0 (as Intel CPUs do).
    public static void Sysret(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Efer & X86Cpu.EferSce) == 0 || !cpu.ProtectedMode)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        RequireCpl0(cpu);
        ushort selector = (ushort)(cpu.Star >> 48);
        bool to64 = op.I.Code == Code.Sysretq;
        if (cpu.LongModeActive)
        {
            if (to64 && !X86Cpu.IsCanonical(cpu.Rcx))
                throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
            cpu.Cs = FlatCode((ushort)((to64 ? selector + 16 : selector) | 3), dpl: 3, longMode: to64);
            cpu.Rip = to64 ? cpu.Rcx : (uint)cpu.Rcx;
            cpu.SetRflags(cpu.Gpr(11) & 0x3C_7FD7 | 2);
        }
        else
        {
            cpu.Cs = FlatCode((ushort)(selector | 3), dpl: 3, longMode: false);
            cpu.Rip = (uint)cpu.Rcx;
            cpu.SetSystemFlag(X86Cpu.FlagIf, true);
        }
        cpu.Ss = FlatData((ushort)((selector + 8) | 3), dpl: 3);
        cpu.UpdateMode();
        cpu.RequestAttention();
    }

    // SYSENTER: CS = SYSENTER_CS, SS = CS + 8, ESP/EIP from the MSRs, IF and VM cleared.
    public static void Sysenter(X86Cpu cpu, ref DecodedOp op)
    {
        if (!cpu.ProtectedMode || (cpu.SysenterCs & 0xFFFC) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ushort selector = (ushort)cpu.SysenterCs;
        cpu.SetRflags(cpu.GetRflags() & ~(X86Cpu.FlagVm | X86Cpu.FlagIf | X86Cpu.FlagRf));
        cpu.Cs = FlatCode((ushort)(selector & ~3), dpl: 0, longMode: cpu.LongModeActive);
        cpu.Ss = FlatData((ushort)((selector + 8) & ~3), dpl: 0);
        cpu.Rsp = cpu.LongModeActive ? cpu.SysenterEsp : (uint)cpu.SysenterEsp;
        cpu.Rip = cpu.LongModeActive ? cpu.SysenterEip : (uint)cpu.SysenterEip;
        cpu.UpdateMode();
    }

    // SYSEXIT: back to CPL 3 at EDX (RDX with REX.W), stack ECX.
    public static void Sysexit(X86Cpu cpu, ref DecodedOp op)
    {
        if (!cpu.ProtectedMode || cpu.Cpl != 0 || (cpu.SysenterCs & 0xFFFC) == 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        bool to64 = op.I.Code == Code.Sysexitq;
        ushort selector = (ushort)cpu.SysenterCs;
        cpu.Cs = FlatCode((ushort)((selector + (to64 ? 32 : 16)) | 3), dpl: 3, longMode: to64);
        cpu.Ss = FlatData((ushort)((selector + (to64 ? 40 : 24)) | 3), dpl: 3);
        cpu.Rsp = to64 ? cpu.Rcx : (uint)cpu.Rcx;
        cpu.Rip = to64 ? cpu.Rdx : (uint)cpu.Rdx;
        cpu.UpdateMode();
    }

    private static SegmentRegister FlatCode(ushort selector, int dpl, bool longMode) => new()
    {
        Selector = selector, Base = 0, Limit = 0xFFFF_FFFF, Type = 0xB, CodeOrData = true, Dpl = (byte)dpl, Present = true,
        Long = longMode, DefaultBig = !longMode, Granularity = true,
    };

    private static SegmentRegister FlatData(ushort selector, int dpl) => new()
    {
        Selector = selector, Base = 0, Limit = 0xFFFF_FFFF, Type = 3, CodeOrData = true, Dpl = (byte)dpl, Present = true,
        DefaultBig = true, Granularity = true,
    };

    // --- Segment queries and far pointer loads ---

    /// <summary>LAR and LSL: ZF set and the access rights or limit returned when the descriptor is visible at this CPL; ZF clear otherwise.</summary>
    public static void Lar(X86Cpu cpu, ref DecodedOp op) => SegmentQuery(cpu, ref op, limit: false);
    public static void Lsl(X86Cpu cpu, ref DecodedOp op) => SegmentQuery(cpu, ref op, limit: true);

    private static void SegmentQuery(X86Cpu cpu, ref DecodedOp op, bool limit)
    {
        RequireProtected(cpu);
        ushort selector = (ushort)cpu.ReadOperand(ref op, 1, 2);
        if (!TryVisibleDescriptor(cpu, selector, limit, out ulong descriptor))
        {
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, 0);
            return;
        }
        ulong result = limit
            ? SegmentRegister.FromDescriptor(selector, descriptor).Limit
            : (descriptor >> 32) & 0x00F0_FF00;
        cpu.WriteGpr(op.I.Op0Register, result);
        cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, X86Cpu.FlagZf);
    }

    private static bool TryVisibleDescriptor(X86Cpu cpu, ushort selector, bool forLimit, out ulong descriptor)
    {
        descriptor = 0;
        if ((selector & ~3) == 0)
            return false;
        ulong tableLimit = (selector & 4) != 0 ? cpu.Ldtr.Limit : cpu.GdtLimit;
        if ((ulong)(selector & ~7) + 7 > tableLimit)
            return false;
        descriptor = cpu.ReadDescriptor(selector);
        var seg = SegmentRegister.FromDescriptor(selector, descriptor);
        if (!seg.CodeOrData)
        {
            // System descriptors LAR/LSL report: LDT, TSSs (and call gates for LAR).
            int type = seg.Type;
            bool ok = type is 1 or 2 or 3 or 9 or 11 || (!forLimit && type is 4 or 12);
            if (!ok)
                return false;
        }
        if (!seg.IsConforming && (seg.Dpl < cpu.Cpl || seg.Dpl < (selector & 3)))
            return false;
        return true;
    }

    public static void Verr(X86Cpu cpu, ref DecodedOp op) => Verify(cpu, ref op, write: false);
    public static void Verw(X86Cpu cpu, ref DecodedOp op) => Verify(cpu, ref op, write: true);

    private static void Verify(X86Cpu cpu, ref DecodedOp op, bool write)
    {
        RequireProtected(cpu);
        ushort selector = (ushort)cpu.ReadOperand(ref op, 0, 2);
        bool ok = TryVisibleDescriptor(cpu, selector, forLimit: true, out ulong descriptor);
        if (ok)
        {
            var seg = SegmentRegister.FromDescriptor(selector, descriptor);
            ok = seg.CodeOrData && (write ? seg.IsWritable : seg.IsReadable);
        }
        cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, ok ? X86Cpu.FlagZf : 0);
    }

    public static void Lds(X86Cpu cpu, ref DecodedOp op) => LoadFarPointer(cpu, ref op, SegmentIndex.Ds);
    public static void Les(X86Cpu cpu, ref DecodedOp op) => LoadFarPointer(cpu, ref op, SegmentIndex.Es);
    public static void Lfs(X86Cpu cpu, ref DecodedOp op) => LoadFarPointer(cpu, ref op, SegmentIndex.Fs);
    public static void Lgs(X86Cpu cpu, ref DecodedOp op) => LoadFarPointer(cpu, ref op, SegmentIndex.Gs);

    public static void Lss(X86Cpu cpu, ref DecodedOp op)
    {
        LoadFarPointer(cpu, ref op, SegmentIndex.Ss);
        cpu.InterruptShadow = true;
        cpu.ShadowSetAt = cpu.InstructionStart;
    }

    private static void LoadFarPointer(X86Cpu cpu, ref DecodedOp op, SegmentIndex segment)
    {
        int offsetSize = op.OperandSize;
        ulong ea = cpu.EffectiveAddress(ref op);
        ulong offset = cpu.Read(cpu.Linear(op.Segment, ea, offsetSize, MemoryAccess.Read), offsetSize);
        ushort selector = (ushort)cpu.Read(cpu.Linear(op.Segment, (ea + (ulong)offsetSize) & op.AddressMask, 2, MemoryAccess.Read), 2);
        cpu.LoadSegment(segment, selector);
        cpu.WriteGpr(op.I.Op0Register, offset);
    }

    public static void Arpl(X86Cpu cpu, ref DecodedOp op)
    {
        RequireProtected(cpu);
        ulong dst = cpu.ReadOperand(ref op, 0, 2);
        ulong src = cpu.ReadGpr(op.I.Op1Register);
        if ((dst & 3) < (src & 3))
        {
            cpu.WriteOperand(ref op, 0, 2, (dst & ~3UL) | (src & 3));
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, X86Cpu.FlagZf);
        }
        else
        {
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, 0);
        }
    }
}
