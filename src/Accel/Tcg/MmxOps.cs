namespace Emu.Accel.Tcg;

/// <summary>
/// EMMS, the end of an MMX sequence: every x87 register tagged empty (SDM
/// vol. 2, EMMS) and, as for every MMX instruction, TOP = 0 (SDM vol. 1,
/// table 9-2; the reference hardware confirms it). The MMX data instructions share their handlers with the
/// SSE2 forms on XMM registers (<see cref="SseIntegerOps"/>, <see cref="SseShuffleOps"/>,
/// <see cref="SseShiftOps"/>, <see cref="SseMoveOps"/>), which check the
/// operand kind.
/// </summary>
internal static class MmxOps
{
    public static void Emms(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Cr0 & X86Cpu.Cr0Em) != 0)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        if ((cpu.Cr0 & X86Cpu.Cr0Ts) != 0)
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
        X87Checks.PendingException(cpu);
        cpu.Fpu.EnterMmx();
        cpu.Fpu.TagByte = 0;
    }
}
