using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// A KVM vCPU: its fd and the kvm_run page, mapped once. Run returns exits as
/// spans over that page without copying or allocating.
///
/// Kicking: the vCPU thread keeps SIGUSR1 blocked, and KVM_SET_SIGNAL_MASK
/// unblocks it only inside KVM_RUN. A kick sets kvm_run.immediate_exit (for a
/// thread about to enter) and sends SIGUSR1 to the thread (for one already
/// inside, even halted in the kernel). KVM_RUN then returns EINTR, the signal
/// stays pending because it is blocked again, and is drained with
/// sigtimedwait: no handler, so no managed code ever runs in signal context.
/// A kick that races the vCPU's disposal writes nothing: the page is written
/// only while it is still mapped (<see cref="KvmRunPage"/>).
/// </summary>
public sealed unsafe partial class KvmVcpu : IVcpu
{
    private const int KickSignal = LibC.SIGUSR1;
    private const ulong KickSignalBit = 1UL << (KickSignal - 1);

    private readonly FileDescriptor _fd;
    private readonly KvmRunPage _runPage;
    private readonly KvmRun* _run;
    private readonly int _runSize;
    private volatile int _tid;
    private readonly KvmVirtualMachine _vm;
    private KvmVcpuResetState? _resetState;

    static KvmVcpu() => KickSignalSetup.IgnoreProcessWide(KickSignal);

    internal KvmVcpu(KvmVirtualMachine vm, int index, int mmapSize)
    {
        Index = index;
        _vm = vm;
        _fd = KvmApi.CreateVcpu(vm.Handle, index);
        try
        {
            _runPage = KvmRunPage.Map(_fd, mmapSize);
        }
        catch
        {
            _fd.Dispose();
            throw;
        }
        _run = _runPage.Run;
        _runSize = mmapSize;
    }

    public int Index { get; }

    internal FileDescriptor Handle => _fd;

    public void AttachThread()
    {
        ulong block = KickSignalBit, old;
        Sys.Check(LibC.pthread_sigmask(LibC.SIG_BLOCK, &block, &old), "pthread_sigmask");
        // Inside KVM_RUN: the thread's usual mask, minus the kick signal.
        KvmApi.SetSignalMask(_fd, old & ~KickSignalBit);
        _tid = Sys.GetTid();
    }

    public void DetachThread() => _tid = 0;

    public VcpuExit Run()
    {
        int errno = KvmApi.Run(_fd);
        if (errno != 0)
            return Interrupted(errno);
        KvmRun* run = _run;
        VcpuExit exit = default;
        switch (run->ExitReason)
        {
            case KvmRun.ExitIo:
            {
                ref KvmRunIoExit io = ref run->Io;
                int length = io.Size * (int)io.Count;
                if (io.DataOffset > (ulong)_runSize || (ulong)length > (ulong)_runSize - io.DataOffset)
                    return Unknown(run->ExitReason);
                exit.Reason = VcpuExitReason.Io;
                exit.Address = io.Port;
                exit.Size = io.Size;
                exit.Count = (int)io.Count;
                exit.IsWrite = io.Direction == KvmRunIoExit.DirectionOut;
                exit.Data = new Span<byte>((byte*)run + io.DataOffset, length);
                return exit;
            }
            case KvmRun.ExitMmio:
            {
                ref KvmRunMmioExit mmio = ref run->Mmio;
                exit.Reason = VcpuExitReason.Mmio;
                exit.Address = mmio.PhysAddr;
                exit.Size = (int)Math.Min(mmio.Len, 8u);
                exit.Count = 1;
                exit.IsWrite = mmio.IsWrite != 0;
                exit.Data = new Span<byte>(Unsafe.AsPointer(ref mmio.Data[0]), exit.Size);
                return exit;
            }
            case KvmRun.ExitHlt:
                exit.Reason = VcpuExitReason.Halt;
                return exit;
            case KvmRun.ExitIntr:
                exit.Reason = VcpuExitReason.Interrupted;
                return exit;
            case KvmRun.ExitShutdown:
                exit.Reason = VcpuExitReason.Shutdown;
                return exit;
            case KvmRun.ExitSystemEvent:
                exit.Reason = VcpuExitReason.SystemEvent;
                exit.EventType = (SystemEventType)run->SystemEvent.Type;
                return exit;
            case KvmRun.ExitInternalError:
            {
                ref KvmRunInternalErrorExit e = ref run->Internal;
                exit.Reason = VcpuExitReason.InternalError;
                exit.Detail = e.Suberror;
                exit.ErrorData = new ReadOnlySpan<ulong>(Unsafe.AsPointer(ref e.Data[0]), (int)Math.Min(e.Ndata, 16u));
                return exit;
            }
            case KvmRun.ExitFailEntry:
                exit.Reason = VcpuExitReason.FailEntry;
                exit.Detail = run->FailEntry.HardwareEntryFailureReason;
                return exit;
            default:
                return Unknown(run->ExitReason);
        }
    }

    private static VcpuExit Unknown(uint reason)
    {
        VcpuExit exit = default;
        exit.Reason = VcpuExitReason.Unknown;
        exit.Detail = reason;
        return exit;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private VcpuExit Interrupted(int errno)
    {
        if (errno != LibC.EINTR && errno != LibC.EAGAIN)
            ThrowRunFailed(errno);
        _run->ImmediateExit = 0;
        // Consume the kick if it is pending, so the next KVM_RUN does not return at once.
        ulong set = KickSignalBit;
        LibC.Timespec zero = default;
        LibC.sigtimedwait(&set, null, &zero);
        VcpuExit exit = default;
        exit.Reason = VcpuExitReason.Interrupted;
        return exit;
    }

    [DoesNotReturn]
    private static void ThrowRunFailed(int errno) => throw new KvmException("KVM_RUN", errno);

    public void RequestExit()
    {
        // A kick may race the vCPU's disposal: the page is written only while it is still mapped.
        if (!_runPage.TryRequestImmediateExit())
            return;
        int tid = _tid;
        if (tid != 0)
            Sys.TgKill(tid, KickSignal);
    }

    public X86Registers GetRegisters()
    {
        KvmApi.GetRegs(_fd, out KvmRegs r);
        return new X86Registers
        {
            Rax = r.Rax, Rbx = r.Rbx, Rcx = r.Rcx, Rdx = r.Rdx, Rsi = r.Rsi, Rdi = r.Rdi, Rsp = r.Rsp, Rbp = r.Rbp,
            R8 = r.R8, R9 = r.R9, R10 = r.R10, R11 = r.R11, R12 = r.R12, R13 = r.R13, R14 = r.R14, R15 = r.R15,
            Rip = r.Rip, Rflags = r.Rflags,
        };
    }

    public void SetRegisters(in X86Registers r)
    {
        var k = new KvmRegs
        {
            Rax = r.Rax, Rbx = r.Rbx, Rcx = r.Rcx, Rdx = r.Rdx, Rsi = r.Rsi, Rdi = r.Rdi, Rsp = r.Rsp, Rbp = r.Rbp,
            R8 = r.R8, R9 = r.R9, R10 = r.R10, R11 = r.R11, R12 = r.R12, R13 = r.R13, R14 = r.R14, R15 = r.R15,
            Rip = r.Rip, Rflags = r.Rflags,
        };
        KvmApi.SetRegs(_fd, k);
    }

    public X86SpecialRegisters GetSpecialRegisters()
    {
        KvmApi.GetSregs(_fd, out KvmSregs s);
        return new X86SpecialRegisters
        {
            Cs = FromKvm(s.Cs), Ds = FromKvm(s.Ds), Es = FromKvm(s.Es), Fs = FromKvm(s.Fs),
            Gs = FromKvm(s.Gs), Ss = FromKvm(s.Ss), Tr = FromKvm(s.Tr), Ldt = FromKvm(s.Ldt),
            Gdt = new X86DescriptorTable { Base = s.Gdt.Base, Limit = s.Gdt.Limit },
            Idt = new X86DescriptorTable { Base = s.Idt.Base, Limit = s.Idt.Limit },
            Cr0 = s.Cr0, Cr2 = s.Cr2, Cr3 = s.Cr3, Cr4 = s.Cr4, Cr8 = s.Cr8, Efer = s.Efer, ApicBase = s.ApicBase,
        };
    }

    public void SetSpecialRegisters(in X86SpecialRegisters r)
    {
        // Read first so fields this type does not model (the pending-interrupt bitmap) keep their values.
        KvmApi.GetSregs(_fd, out KvmSregs s);
        s.Cs = ToKvm(r.Cs); s.Ds = ToKvm(r.Ds); s.Es = ToKvm(r.Es); s.Fs = ToKvm(r.Fs);
        s.Gs = ToKvm(r.Gs); s.Ss = ToKvm(r.Ss); s.Tr = ToKvm(r.Tr); s.Ldt = ToKvm(r.Ldt);
        s.Gdt = new KvmDtable { Base = r.Gdt.Base, Limit = r.Gdt.Limit };
        s.Idt = new KvmDtable { Base = r.Idt.Base, Limit = r.Idt.Limit };
        s.Cr0 = r.Cr0; s.Cr2 = r.Cr2; s.Cr3 = r.Cr3; s.Cr4 = r.Cr4; s.Cr8 = r.Cr8; s.Efer = r.Efer; s.ApicBase = r.ApicBase;
        KvmApi.SetSregs(_fd, s);
    }

    public void SetPowerState(VcpuPowerState state) =>
        KvmApi.SetMpState(_fd, state == VcpuPowerState.Runnable ? KvmApi.MpStateRunnable : KvmApi.MpStateUninitialized);

    public void ResetToInitialState()
    {
        if (_resetState == null)
        {
            // First call, before the vCPU has run: this is the state KVM created it in.
            _resetState = KvmVcpuResetState.Capture(this, _vm.Capabilities, _vm.Accelerator.MsrIndexList);
            return;
        }
        _resetState.Restore(this);
    }

    public int GetMsrs(Span<X86Msr> msrs) => AccessMsrs(msrs, set: false);

    public int SetMsrs(ReadOnlySpan<X86Msr> msrs)
    {
        X86Msr[] copy = msrs.ToArray();
        return AccessMsrs(copy, set: true);
    }

    private int AccessMsrs(Span<X86Msr> msrs, bool set)
    {
        var entries = new KvmMsrEntry[msrs.Length];
        for (int i = 0; i < msrs.Length; i++)
            entries[i] = new KvmMsrEntry { Index = msrs[i].Index, Data = msrs[i].Value };
        int done = KvmApi.AccessMsrs(_fd, entries, set);
        for (int i = 0; i < done && !set; i++)
            msrs[i].Value = entries[i].Data;
        return done;
    }

    public void GetLocalApic(out X86LocalApic apic)
    {
        KvmApi.GetLapic(_fd, out KvmLapicState state);
        apic = default;
        new ReadOnlySpan<byte>(state.Regs, KvmLapicState.RegisterSize).CopyTo(apic);
    }

    public void SetLocalApic(in X86LocalApic apic)
    {
        KvmLapicState state = default;
        ((ReadOnlySpan<byte>)apic).CopyTo(new Span<byte>(state.Regs, KvmLapicState.RegisterSize));
        KvmApi.SetLapic(_fd, state);
    }

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress)
    {
        var t = new KvmTranslation { LinearAddress = linearAddress };
        KvmApi.Translate(_fd, ref t);
        physicalAddress = t.PhysicalAddress;
        return t.Valid != 0;
    }

    private static X86Segment FromKvm(in KvmSegment s) => new()
    {
        Base = s.Base, Limit = s.Limit, Selector = s.Selector, Type = s.Type, Present = s.Present != 0, Dpl = s.Dpl,
        DefaultBig = s.Db != 0, CodeOrData = s.S != 0, Long = s.L != 0, Granularity = s.G != 0, Available = s.Avl != 0, Unusable = s.Unusable != 0,
    };

    private static KvmSegment ToKvm(in X86Segment s) => new()
    {
        Base = s.Base, Limit = s.Limit, Selector = s.Selector, Type = s.Type, Present = s.Present ? (byte)1 : (byte)0, Dpl = s.Dpl,
        Db = s.DefaultBig ? (byte)1 : (byte)0, S = s.CodeOrData ? (byte)1 : (byte)0, L = s.Long ? (byte)1 : (byte)0,
        G = s.Granularity ? (byte)1 : (byte)0, Avl = s.Available ? (byte)1 : (byte)0, Unusable = s.Unusable ? (byte)1 : (byte)0,
    };

    public void Dispose()
    {
        _tid = 0;
        _runPage.Dispose();
        _fd.Dispose();
    }
}
