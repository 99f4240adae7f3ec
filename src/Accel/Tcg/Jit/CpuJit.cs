using System.Runtime.InteropServices;
using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// One vCPU's compiled code: the code cache (its own, so only its own thread
/// ever writes to it, and only from the dispatcher, never while generated
/// code is on its stack), the blocks in it, the links between them and the
/// table that indirect branches look compiled blocks up in.
///
/// The cache starts with fixed code: the trampoline that enters generated
/// code from the dispatcher (saving the callee-saved registers, RBX = the
/// pinned CPU) and returns the status in EAX, and the lookup that indirect
/// branches and cross-page exits jump to. Blocks follow. When the cache is
/// full, or the machine's memory map changes (code compares embed host
/// addresses of guest memory), everything after the fixed code is dropped at
/// once: nothing is freed piecemeal, and nothing runs it afterwards because
/// every block's link to it goes with it.
/// </summary>
internal sealed unsafe class CpuJit : IDisposable
{
    /// <summary>Entries of the indirect-branch table (32 bytes each: RIP, key, host entry, unused).</summary>
    public const int TableEntries = 4096;

    private readonly ExecutableMemory _memory;
    private readonly CodeEmitter _emitter;
    private readonly BlockCompiler _compiler;
    private readonly List<JitBlock> _blocks = new();
    private readonly ulong* _table;
    private readonly delegate* unmanaged<byte*, nint, int> _enter;
    private readonly int _fixedCodeEnd;
    private GCHandle _handle;
    private bool _disposed;

    private CpuJit(X86Cpu cpu, JitOptions options, ExecutableMemory memory)
    {
        Options = options;
        _memory = memory;
        _emitter = new CodeEmitter(memory);
        Layout = cpu.MeasureJitLayout();
        _compiler = new BlockCompiler(_emitter, Layout, this);
        _table = (ulong*)NativeMemory.AllocZeroed(TableEntries * 32);
        _handle = GCHandle.Alloc(cpu, GCHandleType.Weak);
        _enter = (delegate* unmanaged<byte*, nint, int>)EmitFixedCode();
        _fixedCodeEnd = _emitter.Position;
    }

    ~CpuJit() => Release();

    /// <summary>A CPU's JIT, or null where the host cannot run one (then the interpreter runs alone).</summary>
    public static CpuJit? TryCreate(X86Cpu cpu, JitOptions options)
    {
        if (!options.Active || !System.Runtime.Intrinsics.X86.X86Base.X64.IsSupported || !HostHasLahfSahf())
            return null;
        ExecutableMemory? memory = ExecutableMemory.TryCreate(options.CodeCacheBytes, out _);
        return memory == null ? null : new CpuJit(cpu, options, memory);
    }

    // LAHF and SAHF in 64-bit mode: CPUID 8000_0001h ECX bit 0 (every x86-64 CPU since 2005 has them).
    private static bool HostHasLahfSahf()
    {
        (_, _, int ecx, _) = System.Runtime.Intrinsics.X86.X86Base.CpuId(unchecked((int)0x8000_0001), 0);
        return (ecx & 1) != 0;
    }

    public JitOptions Options { get; }

    public JitLayout Layout { get; }

    /// <summary>The GC handle generated code passes to callbacks.</summary>
    public nint Handle => GCHandle.ToIntPtr(_handle);

    public nint Table => (nint)_table;

    /// <summary>Where generated code jumps to return to the dispatcher (status in EAX).</summary>
    public nint ExitAddress { get; private set; }

    /// <summary>Where generated code jumps to continue at the guest RIP stored in the CPU.</summary>
    public nint LookupAddress { get; private set; }

    /// <summary>Bumped whenever translations or the code change: table entries of older generations never match.</summary>
    public ulong Generation { get; private set; } = 1;

    public JitStatistics Statistics { get; } = new();

    public JitBlock this[int id] => _blocks[id];

    /// <summary>Runs generated code from <paramref name="entry"/> with RBX = <paramref name="anchor"/> until it returns a status.</summary>
    public int Enter(byte* anchor, nint entry) => _enter(anchor, entry);

    /// <summary>Compiles <paramref name="block"/> if it is worth it; false when it stays interpreted.</summary>
    public bool TryCompile(Block block)
    {
        if (!_compiler.Plan(block))
            return false;
        int start = _emitter.Position;
        try
        {
            _emitter.Reset(start);
            JitBlock? compiled = _compiler.Compile(block, _blocks.Count);
            if (compiled == null)
            {
                // The cache is full: start it again (this block then has it nearly all to itself).
                Flush();
                start = _emitter.Position;
                _emitter.Reset(start);
                compiled = _compiler.Compile(block, _blocks.Count);
                if (compiled == null)
                    return false;
            }
            _blocks.Add(compiled);
            block.Jit = compiled;
            Statistics.Compiled++;
            Statistics.CodeBytes += compiled.Size;
            return true;
        }
        catch (InvalidOperationException e)
        {
            if (Environment.GetEnvironmentVariable("EMU_JIT_STATS") == "2")
                Console.Error.WriteLine($"jit: block at {block.Pc:X} not compiled: {e.Message}");
            // A compiler bug for this block: it stays interpreted (counted, never fatal to the VM).
            _emitter.Reset(start);
            Statistics.CompileFailures++;
            return false;
        }
    }

    /// <summary>
    /// After exit <paramref name="exit"/> of block <paramref name="sourceId"/>
    /// led to <paramref name="next"/>: a jump in the same guest page goes
    /// straight to the next block's code once it is compiled (the page's
    /// translation is the one the source was entered with); a jump to another
    /// page goes to the lookup, which checks translation-dependent table entries.
    /// </summary>
    public void Link(int sourceId, int exit, Block next)
    {
        if ((uint)sourceId >= (uint)_blocks.Count)
            return;
        JitBlock source = _blocks[sourceId];
        if (source.Dead || (uint)exit >= (uint)source.Exits.Length)
            return;
        ref JitExit x = ref source.Exits[exit];
        if (x.LinkedTo != null || x.ToLookup)
            return;
        if ((source.Block.Pc & X86Cpu.PageMask) != (x.Target & X86Cpu.PageMask))
        {
            _emitter.Patch(x.PatchSite, LookupAddress);
            x.ToLookup = true;
            return;
        }
        if (next.Jit is not { Dead: false } target || next.Rip != x.Target)
            return;
        _emitter.Patch(x.PatchSite, target.Entry);
        x.LinkedTo = target;
        target.Incoming.Add((source, exit));
        Statistics.Links++;
    }

    /// <summary>A block found stale: nothing enters it again (links into it go back to their stubs).</summary>
    public void Kill(JitBlock block)
    {
        if (block.Dead)
            return;
        block.Dead = true;
        if (ReferenceEquals(block.Block.Jit, block))
            block.Block.Jit = null;
        foreach ((JitBlock source, int exit) in block.Incoming)
        {
            ref JitExit x = ref source.Exits[exit];
            if (ReferenceEquals(x.LinkedTo, block))
            {
                _emitter.Patch(x.PatchSite, x.LinkStub);
                x.LinkedTo = null;
            }
        }
        block.Incoming.Clear();
        Statistics.Stale++;
    }

    /// <summary>Drops every compiled block (the cache is full, or guest memory moved).</summary>
    public void Flush()
    {
        foreach (JitBlock block in _blocks)
        {
            block.Dead = true;
            if (ReferenceEquals(block.Block.Jit, block))
                block.Block.Jit = null;
        }
        _blocks.Clear();
        _emitter.Reset(_fixedCodeEnd);
        Generation++;
        Statistics.Flushes++;
    }

    /// <summary>Translations changed (TLB flush): indirect-table entries made under the old ones stop matching.</summary>
    public void TranslationsChanged() => Generation++;

    /// <summary>Enters <paramref name="entry"/> in the indirect-branch table for <paramref name="rip"/> under <paramref name="key"/>.</summary>
    public void Remember(ulong rip, ulong key, nint entry)
    {
        ulong* e = _table + TableIndex(rip) * 4;
        e[0] = rip;
        e[1] = key;
        e[2] = (ulong)entry;
    }

    // The same hash as the lookup routine computes.
    private static ulong TableIndex(ulong rip) => (rip ^ (rip >> 12)) & (TableEntries - 1);

    // The trampoline and the lookup; returns the trampoline's entry.
    private nint EmitFixedCode()
    {
        CodeEmitter e = _emitter;
        e.Reset(0);
        nint enter = e.Address(e.Position);
        // SysV: RBX, RBP, R12-R15 are the caller's; the return address left RSP at 8 mod 16,
        // six pushes and 8 more make it 16-byte aligned for the calls generated code makes.
        foreach (Register r in s_saved)
            e.Emit(Instruction.Create(Code.Push_r64, r));
        e.Emit(Instruction.Create(Code.Sub_rm64_imm8, Register.RSP, 8));
        e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RBX, Register.RDI));
        e.Emit(Instruction.Create(Code.Jmp_rm64, Register.RSI));

        ExitAddress = e.Address(e.Position);
        e.Emit(Instruction.Create(Code.Add_rm64_imm8, Register.RSP, 8));
        for (int i = s_saved.Length - 1; i >= 0; i--)
            e.Emit(Instruction.Create(Code.Pop_r64, s_saved[i]));
        e.Emit(Instruction.Create(Code.Retnq));

        // The lookup: RIP from the CPU, hashed; an entry matches on RIP and on the key
        // (CPL and generation), then its code is jumped to, which does the entry checks.
        LookupAddress = e.Address(e.Position);
        int miss = e.NewLabel();
        JitLayout l = Layout;
        e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RBX, l.Rip)));
        e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RAX));
        e.Emit(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, 12));
        e.Emit(Instruction.Create(Code.Xor_r64_rm64, Register.RCX, Register.RAX));
        e.Emit(Instruction.Create(Code.And_rm32_imm32, Register.ECX, TableEntries - 1));
        e.Emit(Instruction.Create(Code.Shl_rm32_imm8, Register.ECX, 5));
        e.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RCX, new MemoryOperand(Register.RBX, l.Table)));
        e.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RAX, new MemoryOperand(Register.RCX)));
        e.Jcc(ConditionCode.ne, miss);
        e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, new MemoryOperand(Register.RBX, l.TableKey)));
        e.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RDX, new MemoryOperand(Register.RCX, 8)));
        e.Jcc(ConditionCode.ne, miss);
        e.Emit(Instruction.Create(Code.Jmp_rm64, new MemoryOperand(Register.RCX, 16)));
        e.Bind(miss);
        e.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.EAX, (int)JitStatus.Lookup));
        e.JmpTo(ExitAddress);
        if (!e.ResolveLabels() || e.Overflow)
            throw new InvalidOperationException("jit: the fixed code does not fit");
        return enter;
    }

    private static readonly Register[] s_saved = [Register.RBX, Register.RBP, Register.R12, Register.R13, Register.R14, Register.R15];

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeMemory.Free(_table);
        if (_handle.IsAllocated)
            _handle.Free();
        _memory.Dispose();
    }
}
