using Emu.Core.Cpu;
using Emu.Core.Interrupts;

namespace Emu.Accel.Tcg;

// The CPU's run loop, between two returns to the VMM: blocks are executed
// until another thread asks for the CPU (a kick) or the CPU shuts down; at
// each block boundary the APIC's events are handled, a deliverable
// interrupt is taken, and a halted CPU sleeps until it is woken.
internal sealed partial class X86Cpu
{
    private readonly ManualResetEventSlim _wake = new(false);
    private bool _interruptPending;
    private bool _nmiPending;

    /// <summary>Where the instruction that opened the interrupt shadow (STI, MOV SS, POP SS, LSS) starts.</summary>
    public ulong ShadowSetAt;

    /// <summary>Wakes the CPU from another thread: the APIC has something for it, or the VMM wants it back.</summary>
    public void Wake()
    {
        Attention = 1;
        _wake.Set();
    }

    /// <summary>Makes <see cref="Run"/> return <see cref="VcpuExitReason.Interrupted"/> promptly (from any thread).</summary>
    public void RequestExit()
    {
        ExitRequested = 1;
        _wake.Set();
    }

    /// <summary>Runs guest code until the VMM asks for the CPU back or the CPU shuts down.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private VcpuExitReason RunLoop()
    {
        CheckMemoryMapGeneration();
        while (true)
        {
            if (ExitRequested != 0)
            {
                ExitRequested = 0;
                return VcpuExitReason.Interrupted;
            }
            if (Attention != 0)
            {
                Attention = 0;
                CheckMemoryMapGeneration();
                CheckDirtyEpoch();
                HandleApicEvents();
            }
            if (ShutdownState)
                return VcpuExitReason.Shutdown;
            if (WaitingForStartup || Halted)
            {
                bool wakes = !WaitingForStartup && (_nmiPending || (_interruptPending && InterruptsEnabled));
                if (!wakes)
                {
                    Sleep();
                    continue;
                }
                Halted = false;
            }
            if (!InterruptShadow)
            {
                if (_nmiPending && !NmiBlocked)
                {
                    _nmiPending = false;
                    DeliverExternal(ExceptionVector.Nmi);
                }
                else if (_interruptPending && InterruptsEnabled)
                {
                    TakeInterrupt();
                }
            }
            Step();
            // The shadow lasts one instruction: it survives the block only if the shadowing instruction was its last.
            if (InterruptShadow && InstructionStart != ShadowSetAt)
                InterruptShadow = false;
        }
    }

    private void Sleep()
    {
        _wake.Reset();
        if (Attention == 0 && ExitRequested == 0)
            _wake.Wait();
    }

    private void TakeInterrupt()
    {
        int vector = Apic!.AcknowledgeInterrupt();
        _interruptPending = Apic.HasPendingInterrupt;
        if (vector >= 0)
            DeliverExternal(vector);
    }

    // INIT puts the CPU in its INIT state (an application processor then waits for
    // a SIPI); a SIPI starts a waiting CPU in real mode at vector * 4096; an NMI is
    // taken unless one is being handled; then whatever interrupt is pending.
    private void HandleApicEvents()
    {
        if (Apic is not { } apic)
            return;
        LocalApicEvents events = apic.TakeEvents(out byte vector);
        if ((events & LocalApicEvents.Init) != 0)
        {
            InitReset();
            WaitingForStartup = Index != 0;
        }
        if ((events & LocalApicEvents.Startup) != 0 && WaitingForStartup)
        {
            WaitingForStartup = false;
            Halted = false;
            Cs = SegmentRegister.RealMode((ushort)(vector << 8));
            Cs.Type = 0xB;
            Rip = 0;
            UpdateMode();
        }
        if ((events & LocalApicEvents.Nmi) != 0)
            _nmiPending = true;
        _interruptPending = apic.HasPendingInterrupt;
    }

    /// <summary>
    /// The INIT state (SDM table 9-1): like power-on, except that the x87/SSE
    /// state, the MTRRs, the machine-check state and the APIC's base are kept.
    /// </summary>
    private void InitReset()
    {
        var fpu = (Fpu.ControlWord, Fpu.Mxcsr);
        ulong mtrrDef = MtrrDefType;
        ulong[] fixedMtrrs = (ulong[])MtrrFixed.Clone();
        ulong[] variableMtrrs = (ulong[])MtrrVariable.Clone();
        long tscOffset = TscOffset;
        PowerOnReset();
        (Fpu.ControlWord, Fpu.Mxcsr) = fpu;
        MtrrDefType = mtrrDef;
        fixedMtrrs.CopyTo(MtrrFixed, 0);
        variableMtrrs.CopyTo(MtrrVariable, 0);
        TscOffset = tscOffset;
        FlushTlb(includingGlobal: true);
    }
}
