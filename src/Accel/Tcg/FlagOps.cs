namespace Emu.Accel.Tcg;

/// <summary>CLC, STC, CMC, CLD, STD, CLI, STI. CLI and STI need CPL &lt;= IOPL in protected mode (#GP otherwise).</summary>
internal static class FlagOps
{
    public static void Clc(X86Cpu cpu, ref DecodedOp op) => cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, 0);
    public static void Stc(X86Cpu cpu, ref DecodedOp op) => cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, X86Cpu.FlagCf);
    public static void Cmc(X86Cpu cpu, ref DecodedOp op) => cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, cpu.Cf ? 0 : X86Cpu.FlagCf);
    public static void Cld(X86Cpu cpu, ref DecodedOp op) => cpu.SetSystemFlag(X86Cpu.FlagDf, false);
    public static void Std(X86Cpu cpu, ref DecodedOp op) => cpu.SetSystemFlag(X86Cpu.FlagDf, true);

    public static void Cli(X86Cpu cpu, ref DecodedOp op)
    {
        CheckIopl(cpu);
        cpu.SetSystemFlag(X86Cpu.FlagIf, false);
    }

    // Interrupts become deliverable after the next instruction (the block ends after it).
    public static void Sti(X86Cpu cpu, ref DecodedOp op)
    {
        CheckIopl(cpu);
        if (!cpu.InterruptsEnabled)
        {
            cpu.SetSystemFlag(X86Cpu.FlagIf, true);
            cpu.InterruptShadow = true;
            cpu.ShadowSetAt = cpu.InstructionStart;
            cpu.RequestAttention();
        }
    }

    private static void CheckIopl(X86Cpu cpu)
    {
        if (cpu.ProtectedMode && cpu.Cpl > cpu.Iopl)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
    }
}
