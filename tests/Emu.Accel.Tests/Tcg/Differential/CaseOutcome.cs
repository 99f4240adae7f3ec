namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// How a case ended, on either CPU: the exception that stopped it (normally
/// #BP from the INT3 after the code), the registers at that point (RIP of the
/// faulting instruction for a fault, after the INT3 for #BP), and the data region.
/// </summary>
internal sealed class CaseOutcome
{
    /// <summary>No exception within the time (host) or instruction (software CPU) budget.</summary>
    public const int NoException = -1;

    public required int Vector { get; init; }

    /// <summary>The error code, for the exceptions that push one.</summary>
    public ulong ErrorCode { get; init; }

    /// <summary>CR2 for a #PF (the host's si_addr).</summary>
    public ulong FaultAddress { get; init; }

    public required ulong[] Registers { get; init; }

    public required ulong Rip { get; init; }

    public required ulong Rflags { get; init; }

    public required byte[] Data { get; init; }

    /// <summary>The host's signal number (0 on the software CPU).</summary>
    public int Signal { get; init; }

    /// <summary>Anything the run wants to say (the software CPU's shutdown, an unimplemented instruction).</summary>
    public string? Note { get; init; }
}
