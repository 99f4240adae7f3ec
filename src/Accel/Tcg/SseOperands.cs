using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// What the MMX and SSE handlers share: the checks that make an instruction
/// fault before it does anything (CR0.EM, CR0.TS, CR4.OSFXSR, a pending x87
/// exception), operands in XMM and MMX registers and in memory (16-byte
/// accesses as one host load or store when the operand is in one RAM page,
/// with the alignment check of the instructions that require it), and the
/// MXCSR exception flags an instruction raises.
/// </summary>
internal static unsafe class SseOperands
{
    // --- Whether the instruction may run (SDM vol. 3A, 2.5 and 13.1; vol. 2, the "Exceptions" tables) ---

    /// <summary>
    /// SSE instructions: #UD with CR0.EM set or CR4.OSFXSR clear, then #NM with
    /// CR0.TS set (SDM vol. 2, table 2-? "Type 1-5 class exception conditions").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckSse(X86Cpu cpu)
    {
        if (((cpu.Cr0 & (X86Cpu.Cr0Em | X86Cpu.Cr0Ts)) | (~cpu.Cr4 & X86Cpu.Cr4Osfxsr)) != 0)
            SseUnavailable(cpu);
    }

    [DoesNotReturn]
    private static void SseUnavailable(X86Cpu cpu)
    {
        if ((cpu.Cr0 & X86Cpu.Cr0Em) != 0 || (cpu.Cr4 & X86Cpu.Cr4Osfxsr) == 0)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
    }

    /// <summary>
    /// MMX instructions (and the SSE ones on MMX registers): #UD with CR0.EM,
    /// #NM with CR0.TS, #MF for a pending unmasked x87 exception; then the x87
    /// unit enters MMX state (SDM vol. 3A, table 12-? and vol. 1, 9.5-9.6).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckMmx(X86Cpu cpu)
    {
        if ((cpu.Cr0 & (X86Cpu.Cr0Em | X86Cpu.Cr0Ts)) != 0 || (cpu.Fpu.StatusWord & FpuState.Es) != 0)
            MmxSlowChecks(cpu);
        cpu.Fpu.EnterMmx();
    }

    private static void MmxSlowChecks(X86Cpu cpu)
    {
        if ((cpu.Cr0 & X86Cpu.Cr0Em) != 0)
            throw cpu.Fault(ExceptionVector.InvalidOpcode);
        if ((cpu.Cr0 & X86Cpu.Cr0Ts) != 0)
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
        X87Checks.PendingException(cpu);
    }

    /// <summary>SSE instructions that also read or write an MMX register (CVTPI2PS, MOVQ2DQ...): both sets of checks, then MMX state.</summary>
    public static void CheckSseAndMmx(X86Cpu cpu)
    {
        CheckSse(cpu);
        if ((cpu.Fpu.StatusWord & FpuState.Es) != 0)
            X87Checks.PendingException(cpu);
        cpu.Fpu.EnterMmx();
    }

    /// <summary>Whether operand 0 is an MMX register (the instruction's MMX form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMmxForm(ref DecodedOp op) => op.OperandSize == 8 && op.I.Op0Kind == OpKind.Register;

    // --- Registers ---

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Number(Register r) => RegisterInfo.Number(r);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector128<byte> Xmm(X86Cpu cpu, Register r) => ref cpu.Fpu.XmmVector(RegisterInfo.Number(r));

    // --- Memory ---

    /// <summary>The linear address of the memory operand; #GP(0) when the instruction requires natural alignment and it is not aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Address(X86Cpu cpu, ref DecodedOp op, int size, MemoryAccess access, bool aligned)
    {
        ulong linear = cpu.MemoryAddress(ref op, size, access);
        if (aligned && (linear & (ulong)(size - 1)) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        return linear;
    }

    public static Vector128<byte> Load128(X86Cpu cpu, ulong linear)
    {
        if ((linear & 0xFFF) <= 0xFF0)
        {
            byte* p = cpu.HostPointer(linear, MemoryAccess.Read);
            if (p != null)
                return Vector128.Load(p);
        }
        ulong low = cpu.Read(linear, 8);
        ulong high = cpu.Read(linear + 8, 8);
        return Vector128.Create(low, high).AsByte();
    }

    public static void Store128(X86Cpu cpu, ulong linear, Vector128<byte> value)
    {
        if ((linear & 0xFFF) <= 0xFF0)
        {
            byte* p = cpu.HostPointer(linear, MemoryAccess.Write);
            if (p != null)
            {
                value.Store(p);
                return;
            }
        }
        else
        {
            // Both pages are checked before either is written: a fault leaves memory unchanged.
            cpu.ProbeWrite(linear);
            cpu.ProbeWrite(linear + 15);
        }
        cpu.Write(linear, 8, value.AsUInt64().GetElement(0));
        cpu.Write(linear + 8, 8, value.AsUInt64().GetElement(1));
    }

    /// <summary>Operand n as 128 bits: an XMM register, or m128 (aligned when <paramref name="aligned"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Source128(X86Cpu cpu, ref DecodedOp op, int n, bool aligned)
    {
        if (op.I.GetOpKind(n) == OpKind.Register)
            return cpu.Fpu.XmmVector(RegisterInfo.Number(op.I.GetOpRegister(n)));
        return Load128(cpu, Address(cpu, ref op, 16, MemoryAccess.Read, aligned));
    }

    /// <summary>Operand n as 64 bits: the low quadword of an XMM register, an MMX register, or m64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Source64(X86Cpu cpu, ref DecodedOp op, int n)
    {
        if (op.I.GetOpKind(n) == OpKind.Register)
            return RegisterValue64(cpu, op.I.GetOpRegister(n));
        return cpu.Read(cpu.MemoryAddress(ref op, 8, MemoryAccess.Read), 8);
    }

    /// <summary>Operand n as 32 bits: the low doubleword of an XMM register, a general register, or m32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Source32(X86Cpu cpu, ref DecodedOp op, int n)
    {
        if (op.I.GetOpKind(n) == OpKind.Register)
            return (uint)RegisterValue64(cpu, op.I.GetOpRegister(n));
        return (uint)cpu.Read(cpu.MemoryAddress(ref op, 4, MemoryAccess.Read), 4);
    }

    /// <summary>Operand n of <paramref name="size"/> bytes (1, 2, 4, 8) zero-extended, from any register kind or memory.</summary>
    public static ulong SourceSized(X86Cpu cpu, ref DecodedOp op, int n, int size)
    {
        if (op.I.GetOpKind(n) == OpKind.Register)
            return RegisterValue64(cpu, op.I.GetOpRegister(n)) & X86Cpu.SizeMask(size);
        return cpu.Read(cpu.MemoryAddress(ref op, size, MemoryAccess.Read), size);
    }

    private static ulong RegisterValue64(X86Cpu cpu, Register r) => RegisterInfo.Kind(r) switch
    {
        RegisterKind.Xmm => cpu.Fpu.XmmLow(RegisterInfo.Number(r)),
        RegisterKind.Mmx => cpu.Fpu.ReadMmx(RegisterInfo.Number(r)),
        _ => cpu.ReadGpr(r),
    };

    // --- SIMD floating-point exceptions ---

    /// <summary>
    /// Records the exceptions an SSE floating-point instruction detected in
    /// MXCSR and raises #XM (#UD without CR4.OSXMMEXCPT) when one is unmasked;
    /// the caller writes its results only after this returns. When an unmasked
    /// pre-computation exception (invalid, denormal, divide-by-zero) occurs in
    /// any element, no post-computation flags are set (SDM vol. 1, 11.5.1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CommitFlags(X86Cpu cpu, ref FloatEnv env)
    {
        if (env.Flags != 0)
            CommitFlagsSlow(cpu, env.Flags, env.Masks);
    }

    private static void CommitFlagsSlow(X86Cpu cpu, int flags, int masks)
    {
        const int pre = FpuState.Ie | FpuState.De | FpuState.Ze;
        if ((flags & pre & ~masks) != 0)
            flags &= pre;
        cpu.Fpu.Mxcsr |= (uint)flags;
        if ((flags & ~masks & FpuState.ExceptionFlags) != 0)
            RaiseSimdException(cpu);
    }

    [DoesNotReturn]
    public static void RaiseSimdException(X86Cpu cpu) =>
        throw cpu.Fault((cpu.Cr4 & X86Cpu.Cr4Osxmmexcpt) != 0 ? ExceptionVector.SimdFloatingPoint : ExceptionVector.InvalidOpcode);
}
