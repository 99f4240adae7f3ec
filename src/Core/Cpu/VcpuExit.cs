namespace Emu.Core.Cpu;

/// <summary>
/// What one run of a vCPU ended with. <see cref="Data"/> is a view of the
/// accelerator's shared exit page: for a read, the handler fills it and the
/// accelerator completes the guest instruction on the next run. Valid only
/// until the next call to <see cref="IVcpu.Run"/>.
/// </summary>
public ref struct VcpuExit
{
    public VcpuExitReason Reason;

    /// <summary>Port number (I/O) or guest physical address (MMIO).</summary>
    public ulong Address;

    /// <summary>Bytes per access: 1, 2, 4 (I/O) or 1..8 (MMIO).</summary>
    public int Size;

    /// <summary>Number of accesses (rep ins/outs); 1 otherwise. Data holds Size*Count bytes.</summary>
    public int Count;

    public bool IsWrite;

    public Span<byte> Data;

    /// <summary>For system events: the event type.</summary>
    public SystemEventType EventType;

    /// <summary>Accelerator-specific detail (the raw exit reason, internal error suberror, entry failure reason).</summary>
    public ulong Detail;

    /// <summary>For internal errors: extra words the accelerator reported.</summary>
    public ReadOnlySpan<ulong> ErrorData;
}
