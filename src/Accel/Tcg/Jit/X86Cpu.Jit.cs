using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Emu.Accel.Tcg.Jit;

namespace Emu.Accel.Tcg;

// The dispatcher between the interpreter and compiled code. Blocks run in the
// interpreter until they are hot, then as host code; a step alternates
// between the two with the same checks between blocks as the interpreter's
// own loop. Handing over: the guest registers live in the CPU object (which
// is pinned while host code runs and reached through RBX), the arithmetic
// flags are converted between the interpreter's lazy form and generated
// code's compact slot at every entry and exit, and a guest exception raised
// in an instruction generated code handed to the interpreter is delivered
// here, with RIP at that instruction, as the interpreter's step would.
internal sealed unsafe partial class X86Cpu
{
    /// <summary>TLB index mask, for generated code's inline lookups.</summary>
    internal const int JitTlbIndexMask = TlbSize - 1;

    private CpuJit? _jit;

    // The context generated code reads and writes (at offsets from Rip, see JitLayout).
    internal ushort JitFlags;
    internal int JitBudget;
    internal int JitExitBlock;
    internal int JitExitIndex;
    internal nint JitTlb;
    internal ulong JitFsBase;
    internal ulong JitGsBase;
    internal nint JitHandle;
    internal ulong JitTableKey;
    internal nint JitTable;

    /// <summary>A .NET exception a callback caught, rethrown by the dispatcher.</summary>
    internal Exception? JitPendingException;

    /// <summary>The compiler of hot blocks, when it is on.</summary>
    internal CpuJit? Jit => _jit;

    /// <summary>Turns the compiled tier on or off (off where the host cannot run it).</summary>
    internal void ConfigureJit(JitOptions options)
    {
        _jit?.Dispose();
        _jit = CpuJit.TryCreate(this, options);
        if (_jit != null)
        {
            JitHandle = _jit.Handle;
            JitTable = _jit.Table;
        }
    }

    internal void DisposeJit()
    {
        _jit?.Dispose();
        _jit = null;
    }

    /// <summary>The field offsets generated code uses, measured on this object.</summary>
    internal JitLayout MeasureJitLayout()
    {
        ref byte anchor = ref Unsafe.As<ulong, byte>(ref Rip);
        TlbEntry e = default;
        ref byte entry = ref Unsafe.As<TlbEntry, byte>(ref e);
#pragma warning disable CS0420 // generated code reads the volatile fields with plain loads, which x86 orders as volatile ones
        return new JitLayout
        {
            Gpr0 = Offset(ref anchor, ref Unsafe.As<ulong, byte>(ref Gpr(0))),
            Rip = 0,
            InstructionsExecuted = Offset(ref anchor, ref Unsafe.As<long, byte>(ref InstructionsExecuted)),
            Attention = Offset(ref anchor, ref Unsafe.As<int, byte>(ref Attention)),
            ExitRequested = Offset(ref anchor, ref Unsafe.As<int, byte>(ref ExitRequested)),
#pragma warning restore CS0420
            Flags = Offset(ref anchor, ref Unsafe.As<ushort, byte>(ref JitFlags)),
            Budget = Offset(ref anchor, ref Unsafe.As<int, byte>(ref JitBudget)),
            ExitBlock = Offset(ref anchor, ref Unsafe.As<int, byte>(ref JitExitBlock)),
            ExitIndex = Offset(ref anchor, ref Unsafe.As<int, byte>(ref JitExitIndex)),
            Tlb = Offset(ref anchor, ref Unsafe.As<nint, byte>(ref JitTlb)),
            FsBase = Offset(ref anchor, ref Unsafe.As<ulong, byte>(ref JitFsBase)),
            GsBase = Offset(ref anchor, ref Unsafe.As<ulong, byte>(ref JitGsBase)),
            Handle = Offset(ref anchor, ref Unsafe.As<nint, byte>(ref JitHandle)),
            TableKey = Offset(ref anchor, ref Unsafe.As<ulong, byte>(ref JitTableKey)),
            Table = Offset(ref anchor, ref Unsafe.As<nint, byte>(ref JitTable)),
            TlbEntrySize = Unsafe.SizeOf<TlbEntry>(),
            TlbReadTag = Offset(ref entry, ref Unsafe.As<ulong, byte>(ref e.ReadTag)),
            TlbWriteTag = Offset(ref entry, ref Unsafe.As<ulong, byte>(ref e.WriteTag)),
            TlbAddend = Offset(ref entry, ref Unsafe.As<nint, byte>(ref e.Addend)),
        };
    }

    private static int Offset(ref byte origin, ref byte field) => checked((int)Unsafe.ByteOffset(ref origin, ref field));

    /// <summary>Generated code's copies of state it cannot compute: the current TLB, the FS/GS bases, the lookup key (CPL, generation).</summary>
    private void RefreshJitMirrors()
    {
        JitTlb = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tlb));
        JitFsBase = Segments[(int)SegmentIndex.Fs].Base;
        JitGsBase = Segments[(int)SegmentIndex.Gs].Base;
        JitTableKey = (ulong)(uint)Cpl | (_jit!.Generation << 2);
    }

    // The compact slot: high byte = RFLAGS[7:0] (what LAHF gives), low byte = OF.
    private void PackJitFlags()
    {
        ulong f = GetRflags();
        JitFlags = (ushort)(((f & 0xFF) << 8) | ((f >> 11) & 1));
    }

    private void UnpackJitFlags() => SetArithmeticFlags((ulong)(uint)(JitFlags >> 8) | ((ulong)(uint)(JitFlags & 1) << 11));

    /// <summary>The TLB was flushed: the lookup table's entries, made under the old translations, stop matching.</summary>
    private void JitTranslationsChanged()
    {
        if (_jit == null)
            return;
        _jit.TranslationsChanged();
        JitTableKey = (ulong)(uint)Cpl | (_jit.Generation << 2);
    }

    /// <summary>One step with the compiled tier: like <see cref="Step"/>, with hot blocks run as host code.</summary>
    private void StepJit()
    {
        CpuJit jit = _jit!;
        InstructionStart = Rip;
        try
        {
            Block block = FindBlock();
            int budget = BlocksPerStep;
            while (true)
            {
                if (block.Jit is { } native)
                {
                    JitStatus status = RunNative(jit, native, ref budget);
                    jit.Statistics.Exits[(int)status & 7]++;
                    switch (status)
                    {
                        case JitStatus.Link:
                        case JitStatus.Lookup:
                            break;
                        case JitStatus.Stale:
                            jit.Kill(jit[JitExitBlock]);
                            break;
                        case JitStatus.Fault:
                            Rip = InstructionStart;
                            StopBlock = false;
                            RaiseException(_exception.Vector, _exception.ErrorCode, _exception.HasErrorCode);
                            return;
                        case JitStatus.ManagedException:
                            Exception pending = JitPendingException!;
                            JitPendingException = null;
                            ExceptionDispatchInfo.Capture(pending).Throw();
                            return;
                        default:
                            // Attention, the budget, or an instruction that stopped the block (RIP and InstructionStart are set).
                            if (status == JitStatus.Attention)
                                InstructionStart = Rip;
                            return;
                    }
                    if (budget <= 0 || Attention != 0 || ExitRequested != 0 || InterruptShadow || Halted)
                        return;
                    InstructionStart = Rip;
                    Block next = FindBlock();
                    if (status == JitStatus.Link)
                        jit.Link(JitExitBlock, JitExitIndex, next);
                    block = next;
                    continue;
                }

                // A block is compiled on the run after its Threshold-th (threshold 0: before its first run).
                if (block.Jit == null && block.Heat++ == jit.Options.Threshold && block.Cacheable && jit.TryCompile(block))
                    continue;
                CurrentBlock = block;
                DecodedOp[] ops = block.Ops;
                int n = ops.Length;
                InstructionsExecuted += n;
                for (int k = 0; k < n; k++)
                {
                    ref DecodedOp op = ref ops[k];
                    InstructionStart = Rip;
                    Rip = op.NextIp;
                    op.Handler(this, ref op);
                    if (StopBlock)
                    {
                        StopBlock = false;
                        return;
                    }
                }
                if (--budget <= 0 || Attention != 0 || ExitRequested != 0 || InterruptShadow || Halted)
                    return;
                InstructionStart = Rip;
                block = NextBlock(block);
            }
        }
        catch (CpuException e) when (ReferenceEquals(e, _exception))
        {
            Rip = InstructionStart;
            StopBlock = false;
            RaiseException(e.Vector, e.ErrorCode, e.HasErrorCode);
        }
    }

    private JitStatus RunNative(CpuJit jit, JitBlock native, ref int budget)
    {
        PackJitFlags();
        RefreshJitMirrors();
        JitBudget = budget;
        jit.Remember(Rip, JitTableKey, native.Entry);
        jit.Statistics.Entries++;
        int status;
        fixed (ulong* anchor = &Rip)
            status = jit.Enter((byte*)anchor, native.Entry);
        budget = JitBudget;
        UnpackJitFlags();
        return (JitStatus)status;
    }

    /// <summary>
    /// From generated code: instruction <paramref name="opIndex"/> of compiled
    /// block <paramref name="blockId"/>, run by the interpreter exactly as its
    /// step would (RIP past it, InstructionStart at it). The guest registers and
    /// the flags slot are complete when this is called.
    /// </summary>
    internal JitStatus JitInterpret(int blockId, int opIndex)
    {
        CpuJit jit = _jit!;
        Block block = jit[blockId].Block;
        CurrentBlock = block;
        DecodedOp[] ops = block.Ops;
        ref DecodedOp op = ref ops[opIndex];
        jit.Statistics.Interpreted++;
        UnpackJitFlags();
        InstructionStart = op.I.IP;
        Rip = op.NextIp;
        try
        {
            op.Handler(this, ref op);
        }
        catch (CpuException e) when (ReferenceEquals(e, _exception))
        {
            PackJitFlags();
            return JitStatus.Fault;
        }
        PackJitFlags();
        RefreshJitMirrors();
        if (StopBlock)
        {
            StopBlock = false;
            return JitStatus.Stop;
        }
        // A halt, an interrupt shadow, or control going elsewhere mid-block: the dispatcher takes over.
        if (Halted || InterruptShadow || ShutdownState || (opIndex != ops.Length - 1 && Rip != op.NextIp))
            return JitStatus.Stop;
        return JitStatus.Continue;
    }
}
