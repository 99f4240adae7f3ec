using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Migration;

namespace Emu.Accel.Tcg;

/// <summary>
/// A vCPU of the software accelerator: the interpreter runs on the vCPU's own
/// thread inside <see cref="Run"/>, reaching devices directly, and returns to
/// the VMM only when asked (pause, reset, quit) or when the guest shuts the CPU down.
/// Its local APIC is the board's userspace one.
/// </summary>
internal sealed class TcgVcpu : IVcpu, IUserspaceApicVcpu
{
    private readonly X86Cpu _cpu;

    public TcgVcpu(X86Cpu cpu) => _cpu = cpu;

    public int Index => _cpu.Index;

    internal X86Cpu Cpu => _cpu;

    public void AttachThread()
    {
    }

    public void DetachThread()
    {
    }

    public VcpuExit Run() => new() { Reason = _cpu.Run() };

    public void RequestExit() => _cpu.RequestExit();

    public void ConnectLocalApic(ILocalApic apic) => _cpu.Apic = apic;

    public void Wake() => _cpu.Wake();

    public X86Registers GetRegisters()
    {
        X86Cpu c = _cpu;
        return new X86Registers
        {
            Rax = c.Gpr(0), Rcx = c.Gpr(1), Rdx = c.Gpr(2), Rbx = c.Gpr(3), Rsp = c.Gpr(4), Rbp = c.Gpr(5), Rsi = c.Gpr(6), Rdi = c.Gpr(7),
            R8 = c.Gpr(8), R9 = c.Gpr(9), R10 = c.Gpr(10), R11 = c.Gpr(11), R12 = c.Gpr(12), R13 = c.Gpr(13), R14 = c.Gpr(14), R15 = c.Gpr(15),
            Rip = c.Rip,
            Rflags = c.GetRflags(),
        };
    }

    public void SetRegisters(in X86Registers r)
    {
        X86Cpu c = _cpu;
        c.Gpr(0) = r.Rax; c.Gpr(1) = r.Rcx; c.Gpr(2) = r.Rdx; c.Gpr(3) = r.Rbx;
        c.Gpr(4) = r.Rsp; c.Gpr(5) = r.Rbp; c.Gpr(6) = r.Rsi; c.Gpr(7) = r.Rdi;
        c.Gpr(8) = r.R8; c.Gpr(9) = r.R9; c.Gpr(10) = r.R10; c.Gpr(11) = r.R11;
        c.Gpr(12) = r.R12; c.Gpr(13) = r.R13; c.Gpr(14) = r.R14; c.Gpr(15) = r.R15;
        c.Rip = r.Rip;
        c.SetRflags(r.Rflags);
    }

    public X86SpecialRegisters GetSpecialRegisters()
    {
        X86Cpu c = _cpu;
        return new X86SpecialRegisters
        {
            Es = ToX86(c.Segments[0]), Cs = ToX86(c.Segments[1]), Ss = ToX86(c.Segments[2]),
            Ds = ToX86(c.Segments[3]), Fs = ToX86(c.Segments[4]), Gs = ToX86(c.Segments[5]),
            Tr = ToX86(c.Tr), Ldt = ToX86(c.Ldtr),
            Gdt = new X86DescriptorTable { Base = c.GdtBase, Limit = c.GdtLimit },
            Idt = new X86DescriptorTable { Base = c.IdtBase, Limit = c.IdtLimit },
            Cr0 = c.Cr0, Cr2 = c.Cr2, Cr3 = c.Cr3, Cr4 = c.Cr4, Cr8 = c.Apic?.TaskPriorityClass ?? 0,
            Efer = c.Efer,
            ApicBase = c.Apic?.BaseMsr ?? 0,
        };
    }

    public void SetSpecialRegisters(in X86SpecialRegisters s)
    {
        X86Cpu c = _cpu;
        c.Segments[0] = FromX86(s.Es);
        c.Segments[1] = FromX86(s.Cs);
        c.Segments[2] = FromX86(s.Ss);
        c.Segments[3] = FromX86(s.Ds);
        c.Segments[4] = FromX86(s.Fs);
        c.Segments[5] = FromX86(s.Gs);
        c.Tr = FromX86(s.Tr);
        c.Ldtr = FromX86(s.Ldt);
        c.GdtBase = s.Gdt.Base;
        c.GdtLimit = s.Gdt.Limit;
        c.IdtBase = s.Idt.Base;
        c.IdtLimit = s.Idt.Limit;
        c.Cr0 = s.Cr0 | X86Cpu.Cr0Et;
        c.Cr2 = s.Cr2;
        c.Cr3 = s.Cr3;
        c.Cr4 = s.Cr4;
        c.Efer = s.Efer;
        if (c.Apic != null)
        {
            c.Apic.TaskPriorityClass = (byte)s.Cr8;
            if (s.ApicBase != 0 && s.ApicBase != c.Apic.BaseMsr)
                c.Apic.TrySetBaseMsr(s.ApicBase);
        }
        c.UpdateMode();
        c.FlushTlb(includingGlobal: true);
    }

    private static X86Segment ToX86(in SegmentRegister s) => new()
    {
        Base = s.Base, Limit = s.Limit, Selector = s.Selector, Type = s.Type, Present = s.Present, Dpl = s.Dpl,
        DefaultBig = s.DefaultBig, CodeOrData = s.CodeOrData, Long = s.Long, Granularity = s.Granularity,
        Available = s.Available, Unusable = s.Unusable,
    };

    private static SegmentRegister FromX86(in X86Segment s) => new()
    {
        Base = s.Base, Limit = s.Limit, Selector = s.Selector, Type = s.Type, Present = s.Present, Dpl = s.Dpl,
        DefaultBig = s.DefaultBig, CodeOrData = s.CodeOrData, Long = s.Long, Granularity = s.Granularity,
        Available = s.Available, Unusable = s.Unusable,
    };

    public void SetPowerState(VcpuPowerState state)
    {
        _cpu.WaitingForStartup = state == VcpuPowerState.WaitingForStartup;
        if (_cpu.WaitingForStartup)
            _cpu.Halted = false;
    }

    public void ResetToInitialState()
    {
        _cpu.PowerOnReset();
        _cpu.FlushTlb(includingGlobal: true);
        _cpu.Apic?.Reset(bootstrapProcessor: _cpu.Index == 0);
    }

    public int GetMsrs(Span<X86Msr> msrs)
    {
        for (int i = 0; i < msrs.Length; i++)
        {
            if (!_cpu.TryReadMsr(msrs[i].Index, out ulong value))
                return i;
            msrs[i].Value = value;
        }
        return msrs.Length;
    }

    public int SetMsrs(ReadOnlySpan<X86Msr> msrs)
    {
        for (int i = 0; i < msrs.Length; i++)
        {
            if (!_cpu.TryWriteMsr(msrs[i].Index, msrs[i].Value))
                return i;
        }
        return msrs.Length;
    }

    public void GetLocalApic(out X86LocalApic apic)
    {
        if (_cpu.Apic is not { } local)
            throw new InvalidOperationException("the software CPU has no local APIC connected");
        local.GetState(out apic);
    }

    public void SetLocalApic(in X86LocalApic apic)
    {
        if (_cpu.Apic is not { } local)
            throw new InvalidOperationException("the software CPU has no local APIC connected");
        local.SetState(in apic);
        _cpu.RequestAttention();
    }

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress) => _cpu.TryTranslateQuietly(linearAddress, out physicalAddress);

    // The software CPU's whole state is its own; its local APIC is the board's and migrates with the board.
    public string? MigrationBlocker => null;

    public void SaveState(StateWriter state) => _cpu.SaveState(state);

    public void LoadState(StateReader state) => _cpu.LoadState(state);

    public void Dispose()
    {
        // EMU_JIT_STATS=1: what the compiled tier did, on stderr (for tuning; off by default).
        if (_cpu.Jit is { } jit && Environment.GetEnvironmentVariable("EMU_JIT_STATS") == "1")
            Console.Error.WriteLine($"vcpu {_cpu.Index}: jit {jit.Statistics}; {_cpu.InstructionsExecuted} instructions");
        _cpu.DisposeJit();
    }
}
