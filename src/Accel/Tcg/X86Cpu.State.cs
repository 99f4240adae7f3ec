using Emu.Core.Migration;

namespace Emu.Accel.Tcg;

// The CPU's state in the migration stream, with the guest stopped (the CPU
// is between blocks). Everything architectural is saved: registers,
// segment caches, control, debug and model-specific registers, the x87/SSE
// state, and what is in flight between instructions (HLT, the interrupt
// shadow, an NMI being handled or waiting, an application processor waiting
// for SIPI). The time stamp counter is saved as the value the guest would
// read: the destination continues from it, so guest time stands still
// while the VM is in flight. What the CPU derives (CPL, code and stack
// sizes, the TLBs and decoded blocks) is recomputed on load.
internal sealed partial class X86Cpu
{
    private const ulong RflagsReserved = ~0x3F_7FD7UL;
    private const ulong Cr0Known = Cr0Pe | Cr0Mp | Cr0Em | Cr0Ts | Cr0Et | Cr0Ne | Cr0Wp | Cr0Am | Cr0Nw | Cr0Cd | Cr0Pg;
    private const ulong Cr4Known = 0x3F_FFFF;
    private const ulong EferKnown = EferSce | EferLme | EferLma | EferNxe;

    public void SaveState(StateWriter state)
    {
        state.WriteU64Array("gpr", _gpr);
        state.WriteU64("rip", Rip);
        state.WriteU64("rflags", GetRflags());
        for (int i = 0; i < Segments.Length; i++)
            SaveSegment(state, SegmentNames[i], Segments[i]);
        SaveSegment(state, "ldtr", Ldtr);
        SaveSegment(state, "tr", Tr);
        state.WriteU64("gdt.base", GdtBase);
        state.WriteU16("gdt.limit", GdtLimit);
        state.WriteU64("idt.base", IdtBase);
        state.WriteU16("idt.limit", IdtLimit);
        state.WriteU64("cr0", Cr0);
        state.WriteU64("cr2", Cr2);
        state.WriteU64("cr3", Cr3);
        state.WriteU64("cr4", Cr4);
        state.WriteU64("efer", Efer);
        state.WriteU64("xcr0", Xcr0);
        state.WriteU64Array("dr", Dr);
        state.WriteU64("msr.star", Star);
        state.WriteU64("msr.lstar", Lstar);
        state.WriteU64("msr.cstar", Cstar);
        state.WriteU64("msr.sfmask", Sfmask);
        state.WriteU64("msr.kernel-gs-base", KernelGsBase);
        state.WriteU64("msr.tsc-aux", TscAux);
        state.WriteU64("msr.pat", Pat);
        state.WriteU64("msr.sysenter-cs", SysenterCs);
        state.WriteU64("msr.sysenter-esp", SysenterEsp);
        state.WriteU64("msr.sysenter-eip", SysenterEip);
        state.WriteU64("msr.misc-enable", MiscEnable);
        state.WriteU64("msr.spec-ctrl", SpecCtrl);
        state.WriteU64("msr.mtrr-def-type", MtrrDefType);
        state.WriteU64Array("msr.mtrr-fixed", MtrrFixed);
        state.WriteU64Array("msr.mtrr-variable", MtrrVariable);
        state.WriteU64("tsc", ReadTsc());
        state.WriteU64("msr.tsc-deadline", TscDeadline);
        FpuImage.Save(Fpu, state);
        state.WriteBool("halted", Halted);
        state.WriteBool("wait-for-sipi", WaitingForStartup);
        state.WriteBool("interrupt-shadow", InterruptShadow);
        state.WriteU64("interrupt-shadow.at", ShadowSetAt);
        state.WriteU64("instruction-start", InstructionStart);
        state.WriteBool("nmi-blocked", NmiBlocked);
        state.WriteBool("nmi-pending", _nmiPending);
        state.WriteBool("shutdown", ShutdownState);
    }

    public void LoadState(StateReader state)
    {
        state.ReadU64Array("gpr", _gpr);
        Rip = state.ReadU64("rip");
        ulong rflags = state.ReadU64("rflags");
        if ((rflags & RflagsReserved) != 0 || (rflags & FlagFixed1) == 0)
            throw new MigrationException($"{state.Section}: RFLAGS 0x{rflags:x} has reserved bits wrong");
        SetRflags(rflags);
        for (int i = 0; i < Segments.Length; i++)
            Segments[i] = LoadSegment(state, SegmentNames[i]);
        Ldtr = LoadSegment(state, "ldtr");
        Tr = LoadSegment(state, "tr");
        GdtBase = state.ReadU64("gdt.base");
        GdtLimit = state.ReadU16("gdt.limit");
        IdtBase = state.ReadU64("idt.base");
        IdtLimit = state.ReadU16("idt.limit");
        Cr0 = Checked(state, "cr0", Cr0Known) | Cr0Et;
        Cr2 = state.ReadU64("cr2");
        Cr3 = state.ReadU64("cr3");
        Cr4 = Checked(state, "cr4", Cr4Known);
        Efer = Checked(state, "efer", EferKnown);
        Xcr0 = state.ReadU64("xcr0");
        if ((Xcr0 & 1) == 0)
            throw new MigrationException($"{state.Section}: XCR0 0x{Xcr0:x} lacks x87 (bit 0 is always set)");
        state.ReadU64Array("dr", Dr);
        Star = state.ReadU64("msr.star");
        Lstar = state.ReadU64("msr.lstar");
        Cstar = state.ReadU64("msr.cstar");
        Sfmask = state.ReadU64("msr.sfmask") & 0xFFFF_FFFF;
        KernelGsBase = state.ReadU64("msr.kernel-gs-base");
        TscAux = state.ReadU64("msr.tsc-aux") & 0xFFFF_FFFF;
        Pat = state.ReadU64("msr.pat");
        SysenterCs = state.ReadU64("msr.sysenter-cs") & 0xFFFF;
        SysenterEsp = state.ReadU64("msr.sysenter-esp");
        SysenterEip = state.ReadU64("msr.sysenter-eip");
        MiscEnable = state.ReadU64("msr.misc-enable");
        SpecCtrl = state.ReadU64("msr.spec-ctrl");
        MtrrDefType = state.ReadU64("msr.mtrr-def-type") & 0xCFF;
        state.ReadU64Array("msr.mtrr-fixed", MtrrFixed);
        state.ReadU64Array("msr.mtrr-variable", MtrrVariable);
        ulong tsc = state.ReadU64("tsc");
        TscOffset = (long)tsc - (Core.Interrupts.MonotonicTime.NowNanoseconds - Platform.TscOriginNanoseconds);
        ulong deadline = state.ReadU64("msr.tsc-deadline");
        FpuImage.Load(Fpu, state);
        Halted = state.ReadBool("halted");
        WaitingForStartup = state.ReadBool("wait-for-sipi");
        InterruptShadow = state.ReadBool("interrupt-shadow");
        ShadowSetAt = state.ReadU64("interrupt-shadow.at");
        InstructionStart = state.ReadU64("instruction-start");
        NmiBlocked = state.ReadBool("nmi-blocked");
        _nmiPending = state.ReadBool("nmi-pending");
        ShutdownState = state.ReadBool("shutdown");
        state.EnsureAllRead();

        // The armed deadline goes back to the (already loaded) local APIC in
        // this host's time, from the guest TSC just restored.
        TscDeadline = 0;
        if (deadline != 0 && Apic != null)
            TryWriteMsr(MsrTscDeadline, deadline);
        UpdateMode();
        FlushTlb(includingGlobal: true);
        _blocks.Clear();
        Attention = 1; // look at the APIC (pending interrupts) before the first instruction
    }

    private static readonly string[] SegmentNames = ["es", "cs", "ss", "ds", "fs", "gs"];

    private static ulong Checked(StateReader state, string name, ulong known)
    {
        ulong value = state.ReadU64(name);
        if ((value & ~known) != 0)
            throw new MigrationException($"{state.Section}: {name.ToUpperInvariant()} 0x{value:x} has bits this CPU does not implement");
        return value;
    }

    // Attributes as VMX access rights lay them out: type 3:0, S 4, DPL 6:5,
    // P 7, AVL 12, L 13, D/B 14, G 15, unusable 16.
    private const uint AttributeBits = 0x1_F0FF;

    private static void SaveSegment(StateWriter state, string name, in SegmentRegister s)
    {
        state.WriteU16(name + ".selector", s.Selector);
        state.WriteU64(name + ".base", s.Base);
        state.WriteU32(name + ".limit", s.Limit);
        uint attributes = (uint)(s.Type & 0xF) | (s.CodeOrData ? 1u << 4 : 0) | ((uint)(s.Dpl & 3) << 5) | (s.Present ? 1u << 7 : 0)
            | (s.Available ? 1u << 12 : 0) | (s.Long ? 1u << 13 : 0) | (s.DefaultBig ? 1u << 14 : 0) | (s.Granularity ? 1u << 15 : 0)
            | (s.Unusable ? 1u << 16 : 0);
        state.WriteU32(name + ".attributes", attributes);
    }

    private static SegmentRegister LoadSegment(StateReader state, string name)
    {
        uint a = state.ReadU32(name + ".attributes");
        if ((a & ~AttributeBits) != 0)
            throw new MigrationException($"{state.Section}: segment {name} has attribute bits 0x{a:x} outside 0x{AttributeBits:x}");
        return new SegmentRegister
        {
            Selector = state.ReadU16(name + ".selector"),
            Base = state.ReadU64(name + ".base"),
            Limit = state.ReadU32(name + ".limit"),
            Type = (byte)(a & 0xF),
            CodeOrData = (a & (1 << 4)) != 0,
            Dpl = (byte)((a >> 5) & 3),
            Present = (a & (1 << 7)) != 0,
            Available = (a & (1 << 12)) != 0,
            Long = (a & (1 << 13)) != 0,
            DefaultBig = (a & (1 << 14)) != 0,
            Granularity = (a & (1 << 15)) != 0,
            Unusable = (a & (1 << 16)) != 0,
        };
    }
}
