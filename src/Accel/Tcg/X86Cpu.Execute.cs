using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emu.Accel.Tcg;

// The interpreter loop: find (or decode) the block at CS:RIP, run its
// handlers one after another, and at block boundaries look at interrupts,
// the APIC's events and requests from other threads.
internal sealed unsafe partial class X86Cpu
{
    private readonly BlockDecoder _decoder;
    private readonly JumpCache _jumpCache = new();
    private readonly Dictionary<BlockKey, Block> _blocks = new();
    private readonly CpuException _exception = new();
    private const int MaxCachedBlocks = 1 << 16;

    /// <summary>A handler asks that the rest of the block not run (a REP instruction that will continue, a mode change).</summary>
    public bool StopBlock;

    /// <summary>The block being run (for <see cref="CodeWriteCheck"/>).</summary>
    public Block? CurrentBlock;

    /// <summary>Instructions executed (approximately: counted per block).</summary>
    public long InstructionsExecuted;

    /// <summary>Makes the exception that <c>throw</c> raises in the guest.</summary>
    public CpuException Fault(int vector, uint errorCode) => _exception.Set(vector, errorCode, ExceptionVector.HasErrorCode(vector));

    public CpuException Fault(int vector) => _exception.Set(vector, 0, ExceptionVector.HasErrorCode(vector));

    /// <summary>#UD for an instruction this CPU does not implement, counted.</summary>
    public CpuException Unimplemented(in Instruction instruction)
    {
        Interlocked.Increment(ref UnimplementedInstructions);
        LastUnimplemented = instruction.Code;
        return Fault(ExceptionVector.InvalidOpcode);
    }

    /// <summary>
    /// Copies the code bytes at <paramref name="pc"/> (all in one page) into
    /// <paramref name="destination"/>; returns their host address, or null when
    /// the code is not in RAM or ROM. Raises #PF or #GP as an instruction fetch would.
    /// </summary>
    public byte* FetchCode(ulong pc, Span<byte> destination)
    {
        bool user = Cpl == 3;
        ref TlbEntry e = ref EntryFor(_tlb, pc);
        if (e.ExecTag != (pc & PageMask))
            e = ref Fill(pc, MemoryAccess.Execute, _tlb, user);
        if (e.ExecTag == (pc & PageMask))
        {
            byte* host = (byte*)(e.Addend + (nint)pc);
            new ReadOnlySpan<byte>(host, destination.Length).CopyTo(destination);
            return host;
        }
        if (e.ExecTag == TlbEntry.Invalid)
            throw PageFault(pc, MemoryAccess.Execute, user, PfPresent);
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (byte)PhysicalRead(e.PhysicalPage | ((pc + (ulong)i) & 0xFFF), 1);
        return null;
    }

    /// <summary>The block at CS:RIP, decoded if need be.</summary>
    private Block FindBlock()
    {
        ulong rip = Rip;
        ulong csBase = Cs.Base;
        int mode = CodeBits;
        ulong pc = mode == 64 ? rip : (csBase + rip) & 0xFFFF_FFFF;
        ref Block? slot = ref _jumpCache.Slot(pc);
        Block? block = slot;
        if (block != null && block.Pc == pc && block.Rip == rip && block.Mode == mode && block.CsBase == csBase && block.IsCurrent)
            return block;
        if (mode != 64 && rip > Cs.Limit && ProtectedMode)
            throw Fault(ExceptionVector.GeneralProtection, 0);
        ulong physical = CodePhysical(pc);
        var key = new BlockKey(physical, rip, csBase, mode);
        if (_blocks.TryGetValue(key, out block) && block.IsCurrent)
        {
            slot = block;
            return block;
        }
        block = _decoder.Decode(pc, rip, csBase, mode);
        if (block.Cacheable)
        {
            if (_blocks.Count >= MaxCachedBlocks)
            {
                _blocks.Clear();
                _jumpCache.Clear();
            }
            _blocks[key] = block;
            slot = block;
        }
        return block;
    }

    // The block after this one: one of its two links when it matches CS:RIP and the
    // translations are unchanged, else a full lookup, which then becomes a link.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Block NextBlock(Block block)
    {
        ulong rip = Rip;
        if (block.LinkEpoch == _linkEpoch)
        {
            Block? a = block.LinkA;
            if (a != null && a.Rip == rip && a.CsBase == Cs.Base && a.Mode == CodeBits && a.IsCurrent)
                return a;
            Block? b = block.LinkB;
            if (b != null && b.Rip == rip && b.CsBase == Cs.Base && b.Mode == CodeBits && b.IsCurrent)
                return b;
        }
        else
        {
            block.LinkA = block.LinkB = null;
            block.LinkEpoch = _linkEpoch;
        }
        Block next = FindBlock();
        if (block.LinkA == null)
            block.LinkA = next;
        else
            block.LinkB = next;
        return next;
    }

    private ulong CodePhysical(ulong pc)
    {
        ref TlbEntry e = ref EntryFor(_tlb, pc);
        if ((e.ExecTag & PageMask) != (pc & PageMask) || e.ExecTag == TlbEntry.Invalid)
            e = ref Fill(pc, MemoryAccess.Execute, _tlb, Cpl == 3);
        if (e.ExecTag == TlbEntry.Invalid)
            throw PageFault(pc, MemoryAccess.Execute, Cpl == 3, PfPresent);
        return e.PhysicalPage | (pc & 0xFFF);
    }

    private int _linkEpoch;

    /// <summary>Blocks run back to back before the run loop looks around again (APIC events set Attention anyway).</summary>
    private const int BlocksPerStep = 4096;

    /// <summary>
    /// Runs blocks, following each one to the next through its links while
    /// nothing needs the run loop's attention; a guest exception is delivered
    /// (which may itself end in shutdown).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step()
    {
        InstructionStart = Rip;
        try
        {
            Block block = FindBlock();
            for (int budget = BlocksPerStep; ; budget--)
            {
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
                if (budget == 0 || Attention != 0 || ExitRequested != 0 || InterruptShadow || Halted)
                    return;
                InstructionStart = Rip;
                block = NextBlock(block);
            }
        }
        catch (CpuException e) when (ReferenceEquals(e, _exception))
        {
            // A fault: the instruction restarts after the handler, so it is the one reported.
            Rip = InstructionStart;
            StopBlock = false;
            RaiseException(e.Vector, e.ErrorCode, e.HasErrorCode);
        }
    }
}
