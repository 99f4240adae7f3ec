namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// A direct exit of a compiled block (a branch or fall-through to a known
/// address): the rel32 of its final JMP, which goes to the exit's link stub
/// (back to the dispatcher) until the dispatcher points it at the next block.
/// </summary>
internal struct JitExit
{
    /// <summary>Cache offset of the JMP's rel32.</summary>
    public int PatchSite;

    /// <summary>Where the jump goes while unlinked: the stub that reports this exit to the dispatcher.</summary>
    public nint LinkStub;

    /// <summary>The guest RIP the exit continues at.</summary>
    public ulong Target;

    /// <summary>The block the jump goes to, when linked to one (for unlinking when that block dies).</summary>
    public JitBlock? LinkedTo;

    /// <summary>Whether the jump goes to the indirect-branch lookup (a target in another page).</summary>
    public bool ToLookup;
}
