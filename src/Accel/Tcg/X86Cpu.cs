using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emu.Core.Interrupts;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// The architectural state of one software x86-64 CPU and the interpreter
/// that runs it. The state lives here; the parts of the interpreter are
/// spread over the X86Cpu.*.cs files (flags, memory and paging, segments,
/// interrupts, execution) and the instruction handlers over the *Ops
/// classes. Everything is touched only by the vCPU's own thread, except the
/// attention flag and the wake-up, which other threads set.
/// </summary>
internal sealed unsafe partial class X86Cpu
{
    // RFLAGS bits (Intel SDM vol. 1, 3.4.3).
    public const ulong FlagCf = 1 << 0, FlagFixed1 = 1 << 1, FlagPf = 1 << 2, FlagAf = 1 << 4, FlagZf = 1 << 6, FlagSf = 1 << 7,
        FlagTf = 1 << 8, FlagIf = 1 << 9, FlagDf = 1 << 10, FlagOf = 1 << 11, FlagIopl = 3 << 12, FlagNt = 1 << 14, FlagRf = 1 << 16,
        FlagVm = 1 << 17, FlagAc = 1 << 18, FlagVif = 1 << 19, FlagVip = 1 << 20, FlagId = 1 << 21;

    /// <summary>The six arithmetic flags, computed lazily.</summary>
    public const ulong ArithmeticFlags = FlagCf | FlagPf | FlagAf | FlagZf | FlagSf | FlagOf;

    // CR0, CR4 and EFER bits (Intel SDM vol. 3A, 2.5 and 2.2.1).
    public const ulong Cr0Pe = 1 << 0, Cr0Mp = 1 << 1, Cr0Em = 1 << 2, Cr0Ts = 1 << 3, Cr0Et = 1 << 4, Cr0Ne = 1 << 5, Cr0Wp = 1 << 16,
        Cr0Am = 1 << 18, Cr0Nw = 1 << 29, Cr0Cd = 1 << 30, Cr0Pg = 1UL << 31;
    public const ulong Cr4Vme = 1 << 0, Cr4Pvi = 1 << 1, Cr4Tsd = 1 << 2, Cr4De = 1 << 3, Cr4Pse = 1 << 4, Cr4Pae = 1 << 5, Cr4Mce = 1 << 6,
        Cr4Pge = 1 << 7, Cr4Pce = 1 << 8, Cr4Osfxsr = 1 << 9, Cr4Osxmmexcpt = 1 << 10, Cr4Umip = 1 << 11, Cr4FsGsBase = 1 << 16;
    public const ulong EferSce = 1 << 0, EferLme = 1 << 8, EferLma = 1 << 10, EferNxe = 1 << 11;

    private GprFile _gpr;

    public X86Cpu(int index, TcgPlatform platform, CpuidModel cpuid)
    {
        Index = index;
        Platform = platform;
        Cpuid = cpuid;
        _decoder = new BlockDecoder(this);
        PowerOnReset();
        platform.Register(this);
        ConfigureJit(platform.Jit);
    }

    public int Index { get; }

    /// <summary>The machine's memory and I/O, shared by every CPU.</summary>
    public TcgPlatform Platform { get; }

    public CpuidModel Cpuid { get; }

    /// <summary>The local APIC, once the board connected it.</summary>
    public ILocalApic? Apic { get; set; }

    // --- General registers, instruction pointer, flags ---

    /// <summary>RAX..R15 in encoding order (RAX=0, RCX=1, RDX=2, RBX=3, RSP=4, RBP=5, RSI=6, RDI=7, R8..R15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong Gpr(int index) => ref Unsafe.Add(ref Unsafe.As<GprFile, ulong>(ref _gpr), index);

    public ref ulong Rax => ref Gpr(0);
    public ref ulong Rcx => ref Gpr(1);
    public ref ulong Rdx => ref Gpr(2);
    public ref ulong Rbx => ref Gpr(3);
    public ref ulong Rsp => ref Gpr(4);
    public ref ulong Rbp => ref Gpr(5);
    public ref ulong Rsi => ref Gpr(6);
    public ref ulong Rdi => ref Gpr(7);

    /// <summary>The instruction pointer: an offset in CS (RIP in 64-bit mode).</summary>
    public ulong Rip;

    /// <summary>Where the instruction being executed starts: faults restart it from here.</summary>
    public ulong InstructionStart;

    // --- Segments, descriptor tables, control registers, MSRs ---

    public readonly SegmentRegister[] Segments = new SegmentRegister[6];
    public SegmentRegister Ldtr, Tr;
    public ulong GdtBase, IdtBase;
    public ushort GdtLimit, IdtLimit;

    public ulong Cr0, Cr2, Cr3, Cr4, Efer, Xcr0 = 1;

    /// <summary>Debug registers: kept, not acted on (no hardware breakpoints).</summary>
    public readonly ulong[] Dr = new ulong[8];

    public ulong Star, Lstar, Cstar, Sfmask, KernelGsBase, TscAux, Pat = 0x0007040600070406;
    public ulong SysenterCs, SysenterEsp, SysenterEip;
    public ulong MiscEnable = 1, SpecCtrl, MtrrDefType;
    public readonly ulong[] MtrrFixed = new ulong[11];
    public readonly ulong[] MtrrVariable = new ulong[16];

    /// <summary>Guest TSC = (host ns - origin) * rate + offset; IA32_TSC writes move the offset.</summary>
    public long TscOffset;

    /// <summary>IA32_TSC_DEADLINE as the guest wrote it (0: disarmed).</summary>
    public ulong TscDeadline;

    /// <summary>Current privilege level (CS.RPL in protected mode; 0 in real mode, 3 in virtual-8086 mode).</summary>
    public int Cpl;

    // --- x87, MMX and SSE state ---

    public readonly FpuState Fpu = new();

    // --- Execution state ---

    /// <summary>HLT executed; waiting for an interrupt (or INIT/NMI).</summary>
    public bool Halted;

    /// <summary>An application processor waiting for INIT and SIPI.</summary>
    public bool WaitingForStartup;

    /// <summary>The instruction after STI, MOV SS or POP SS runs before any interrupt (the interrupt shadow).</summary>
    public bool InterruptShadow;

    /// <summary>An NMI is being handled: further NMIs wait for IRET.</summary>
    public bool NmiBlocked;

    /// <summary>Set from any thread when the CPU must look at its APIC, a kick or a state change before the next block.</summary>
    public volatile int Attention;

    /// <summary>Set by another thread to make the CPU return from Run.</summary>
    public volatile int ExitRequested;

    /// <summary>Instructions the CPU did not implement (each raised #UD in the guest).</summary>
    public long UnimplementedInstructions;

    /// <summary>The last unimplemented instruction, for diagnostics.</summary>
    public Code LastUnimplemented;

    /// <summary>The guest triple-faulted: the CPU is in shutdown until reset.</summary>
    public bool ShutdownState;

    /// <summary>Code size of the current CS: 16, 32 or 64.</summary>
    public int CodeBits = 16;

    /// <summary>Stack address size: 16, 32 or 64 (SS.B, or 64 in long mode).</summary>
    public int StackBits = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref SegmentRegister Segment(SegmentIndex index) => ref Segments[(int)index];

    public ref SegmentRegister Cs => ref Segments[(int)SegmentIndex.Cs];
    public ref SegmentRegister Ss => ref Segments[(int)SegmentIndex.Ss];

    public bool ProtectedMode => (Cr0 & Cr0Pe) != 0;
    public bool Paging => (Cr0 & Cr0Pg) != 0;
    public bool LongModeActive => (Efer & EferLma) != 0;
    public bool Virtual8086 => (_rflags & FlagVm) != 0;

    /// <summary>Requests that the CPU return from Run soon (from any thread).</summary>
    public void RequestAttention() => Attention = 1;

    /// <summary>The state a CPU has after RESET (Intel SDM vol. 3A, table 9-1).</summary>
    public void PowerOnReset()
    {
        _gpr = default;
        Rdx = Cpuid.ResetEdx;
        Rip = 0xFFF0;
        SetRflags(FlagFixed1);
        for (int i = 0; i < Segments.Length; i++)
            Segments[i] = SegmentRegister.RealMode(0);
        Cs = SegmentRegister.RealMode(0xF000);
        Cs.Base = 0xFFFF_0000;
        Ldtr = SegmentRegister.SystemSegment(0, 0, 0xFFFF, 2);
        Tr = SegmentRegister.SystemSegment(0, 0, 0xFFFF, 11);
        GdtBase = IdtBase = 0;
        GdtLimit = IdtLimit = 0xFFFF;
        Cr0 = Cr0Et | Cr0Cd | Cr0Nw;
        Cr2 = Cr3 = Cr4 = 0;
        Efer = 0;
        Xcr0 = 1;
        Array.Clear(Dr);
        Dr[6] = 0xFFFF0FF0;
        Dr[7] = 0x400;
        Star = Lstar = Cstar = Sfmask = KernelGsBase = TscAux = 0;
        SysenterCs = SysenterEsp = SysenterEip = 0;
        Pat = 0x0007040600070406;
        MiscEnable = 1;
        SpecCtrl = 0;
        MtrrDefType = 0;
        Array.Clear(MtrrFixed);
        Array.Clear(MtrrVariable);
        TscDeadline = 0;
        Fpu.Reset();
        Halted = WaitingForStartup = InterruptShadow = NmiBlocked = ShutdownState = false;
        UpdateMode();
    }

    /// <summary>Recomputes CPL, code and stack sizes and the memory view after CS, SS, CR0, EFER or RFLAGS.VM changed.</summary>
    public void UpdateMode()
    {
        if (!ProtectedMode)
            Cpl = 0;
        else if (Virtual8086)
            Cpl = 3;
        else
            Cpl = Cs.Selector & 3;
        if (LongModeActive && Cs.Long)
            CodeBits = 64;
        else
            CodeBits = Cs.DefaultBig && ProtectedMode && !Virtual8086 ? 32 : 16;
        StackBits = CodeBits == 64 ? 64 : Ss.DefaultBig && ProtectedMode && !Virtual8086 ? 32 : 16;
        SelectTlb();
    }
}
