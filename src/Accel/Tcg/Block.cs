namespace Emu.Accel.Tcg;

/// <summary>
/// A run of decoded instructions that starts at one guest address and ends
/// at a branch, an instruction that changes how later code must be decoded
/// or run, or a page boundary. It remembers the bytes it was decoded from
/// and where they are in host memory: before each execution the bytes are
/// compared, so code changed by the guest (Linux patches its own text), by
/// another CPU or by a device's DMA is decoded again, with no write tracking.
/// </summary>
internal sealed unsafe class Block
{
    public Block(ulong pc, ulong rip, ulong csBase, int mode, DecodedOp[] ops, byte[] code, byte* host, int hostLength, byte* host2)
    {
        Pc = pc;
        Rip = rip;
        CsBase = csBase;
        Mode = mode;
        Ops = ops;
        Code = code;
        _host = host;
        _hostLength = hostLength;
        _host2 = host2;
    }

    /// <summary>Linear address of the first instruction.</summary>
    public ulong Pc { get; }

    /// <summary>The offset in CS it was decoded at (Iced resolved branch targets and RIP-relative addresses from it).</summary>
    public ulong Rip { get; }

    public ulong CsBase { get; }

    /// <summary>Code size it was decoded for: 16, 32 or 64.</summary>
    public int Mode { get; }

    public DecodedOp[] Ops { get; }

    /// <summary>The instruction bytes, as they were when decoded.</summary>
    public byte[] Code { get; }

    private readonly byte* _host;
    private readonly int _hostLength;
    private readonly byte* _host2;

    /// <summary>
    /// The blocks that ran after this one (at most two: a branch's target and
    /// its fall-through), remembered so the next lookup is a compare. Valid only
    /// while the CPU's translations are those they were found with (<see cref="LinkEpoch"/>).
    /// </summary>
    public Block? LinkA, LinkB;

    public int LinkEpoch;

    /// <summary>Times the interpreter ran it (the JIT compiles a block when this reaches its threshold).</summary>
    public int Heat;

    /// <summary>Its compiled code, while it has some.</summary>
    public Jit.JitBlock? Jit;

    /// <summary>Where its bytes are in host memory (the first page, and the second for a first instruction that crosses into it).</summary>
    public byte* Host => _host;

    public int HostLength => _hostLength;

    public byte* Host2 => _host2;

    /// <summary>Decoded from RAM or ROM, so it can be kept (code fetched from a device is decoded each time).</summary>
    public bool Cacheable => _host != null;

    /// <summary>Whether guest memory still holds the bytes this block was decoded from.</summary>
    public bool IsCurrent
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            // Most blocks are short: compare them a word at a time without a call.
            if (_hostLength <= 32 && _host2 == null && _host != null)
            {
                fixed (byte* code = Code)
                {
                    int n = _hostLength;
                    int i = 0;
                    for (; i + 8 <= n; i += 8)
                    {
                        if (*(ulong*)(code + i) != *(ulong*)(_host + i))
                            return false;
                    }
                    for (; i < n; i++)
                    {
                        if (code[i] != _host[i])
                            return false;
                    }
                    return true;
                }
            }
            return CompareLong();
        }
    }

    private bool CompareLong()
    {
        if (_host == null)
            return false;
        var code = new ReadOnlySpan<byte>(Code);
        if (!code[.._hostLength].SequenceEqual(new ReadOnlySpan<byte>(_host, _hostLength)))
            return false;
        return _host2 == null || code[_hostLength..].SequenceEqual(new ReadOnlySpan<byte>(_host2, Code.Length - _hostLength));
    }
}
