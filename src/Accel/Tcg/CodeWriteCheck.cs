namespace Emu.Accel.Tcg;

/// <summary>
/// Wraps a store that is followed by more instructions of its block: after the
/// store, if the block's bytes in guest memory changed (the guest rewrote code it
/// is about to run), the block ends there, so the next instruction is fetched and
/// decoded again as the guest now has it. Other blocks see the change anyway:
/// each is compared with guest memory before it runs (<see cref="Block.IsCurrent"/>).
/// </summary>
internal static unsafe class CodeWriteCheck
{
    public static void Run(X86Cpu cpu, ref DecodedOp op)
    {
        op.Inner(cpu, ref op);
        if (cpu.CurrentBlock is { } block && !block.IsCurrent)
            cpu.StopBlock = true;
    }
}
