using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// The checks an x87 instruction makes before it executes: #NM when CR0.EM
/// or CR0.TS is set (WAIT/FWAIT: when CR0.TS and CR0.MP are), and, for the
/// waiting instructions, #MF when an unmasked exception is pending
/// (SDM vol. 3A, 2.5 table 2-2; vol. 1, 8.6 and 8.7).
/// </summary>
internal static class X87Checks
{
    /// <summary>The non-waiting (FN*) control instructions: only #NM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoWait(X86Cpu cpu)
    {
        if ((cpu.Cr0 & (X86Cpu.Cr0Em | X86Cpu.Cr0Ts)) != 0)
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
    }

    /// <summary>Every other x87 instruction: #NM, then a pending unmasked exception.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Wait(X86Cpu cpu)
    {
        if ((cpu.Cr0 & (X86Cpu.Cr0Em | X86Cpu.Cr0Ts)) != 0)
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
        if ((cpu.Fpu.StatusWord & FpuState.Es) != 0)
            PendingException(cpu);
    }

    /// <summary>WAIT/FWAIT: #NM only when both CR0.TS and CR0.MP are set (SDM vol. 3A, table 2-2).</summary>
    public static void Fwait(X86Cpu cpu, ref DecodedOp op)
    {
        if ((cpu.Cr0 & (X86Cpu.Cr0Ts | X86Cpu.Cr0Mp)) == (X86Cpu.Cr0Ts | X86Cpu.Cr0Mp))
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
        if ((cpu.Fpu.StatusWord & FpuState.Es) != 0)
            PendingException(cpu);
    }

    /// <summary>
    /// A pending unmasked x87 exception is reported as #MF when CR0.NE is set.
    /// With CR0.NE clear a PC reports it through FERR# and IRQ 13, which this
    /// CPU does not wire: the exception stays pending (the handler sees the flags).
    /// </summary>
    public static void PendingException(X86Cpu cpu)
    {
        if ((cpu.Fpu.StatusWord & FpuState.Es) != 0 && (cpu.Cr0 & X86Cpu.Cr0Ne) != 0)
            throw cpu.Fault(ExceptionVector.FloatingPoint);
    }
}
