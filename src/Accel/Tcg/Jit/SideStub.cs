namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Out-of-line code for an instruction's slow path (a TLB miss, a page-crossing
/// or misaligned access, a non-canonical branch target): the instruction is
/// run by the interpreter instead, from the register state at the branch, and
/// the compiled code resumes at the join with the state the fast path has there.
/// </summary>
internal struct SideStub
{
    public int Label;
    public int JoinLabel;
    public int OpIndex;

    /// <summary>The instruction is a branch: after the interpreter ran it, RIP is set and the block is left.</summary>
    public bool Leaves;
    public RegisterState AtBranch;
    public RegisterState AtJoin;
}
