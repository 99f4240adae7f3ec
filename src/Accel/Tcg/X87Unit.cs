using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// What the x87 handlers share (Intel SDM vol. 1, chapter 8): the checks and
/// the last-instruction pointers every non-control instruction updates, the
/// register stack with its overflow and underflow faults, memory operands in
/// every format, and the exception model: flags accumulate in the status
/// word, an unmasked one sets ES/B, keeps the destination unchanged when it
/// was detected before the computation (invalid, denormal, divide-by-zero),
/// and is reported as #MF by the next waiting instruction.
/// </summary>
internal static class X87Unit
{
    private const int PreComputation = FpuState.Ie | FpuState.De | FpuState.Ze;

    /// <summary>
    /// A non-control instruction starts: #NM and pending-#MF checks, then FIP/FCS
    /// and (with a memory operand) FDP/FDS are updated (SDM vol. 1, 8.1.8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FpuState Begin(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        FpuState f = cpu.Fpu;
        f.LastInstructionPointer = cpu.InstructionStart;
        f.LastCodeSelector = cpu.Cs.Selector;
        if (op.MemorySize != 0)
        {
            f.LastDataPointer = cpu.EffectiveAddress(ref op);
            f.LastDataSelector = cpu.Segments[(int)op.Segment].Selector;
        }
        return f;
    }

    /// <summary>The environment for an instruction: rounding and masks from the control word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatEnv Env(FpuState f) => FloatEnv.FromControlWord(f.ControlWord);

    /// <summary>The precision-control setting for FADD, FSUB, FMUL, FDIV, FSQRT (SDM vol. 1, 8.1.5.2).</summary>
    public static int Precision(FpuState f) => FloatEnv.X87Precision(f.ControlWord);

    /// <summary>
    /// Records the exceptions an instruction detected. C1 becomes the
    /// "rounded up" bit when <paramref name="setC1"/>. Returns whether the
    /// result may be stored: false after an unmasked invalid-operation,
    /// denormal or divide-by-zero exception (SDM vol. 1, 8.5).
    /// </summary>
    public static bool Finish(X86Cpu cpu, ref FloatEnv env, bool setC1 = true)
    {
        FpuState f = cpu.Fpu;
        int flags = env.Flags & FpuState.ExceptionFlags;
        int unmasked = flags & ~env.Masks;
        if ((unmasked & PreComputation) != 0)
            flags &= PreComputation;
        int sw = f.StatusWord | flags;
        if (setC1)
            sw = (sw & ~FpuState.C1) | ((flags & FpuState.Pe) != 0 && env.RoundedUp ? FpuState.C1 : 0);
        if (unmasked != 0)
            sw |= FpuState.Es | FpuState.Busy;
        f.StatusWord = (ushort)sw;
        if (unmasked != 0)
            RecordOpcode(cpu);
        return (unmasked & PreComputation) == 0;
    }

    /// <summary>
    /// Like <see cref="Finish"/> for instructions that store to memory: no
    /// value is stored after any unmasked exception but precision (SDM vol. 1,
    /// 8.5.4 and 8.5.5: an unmasked overflow or underflow leaves a memory
    /// destination unchanged).
    /// </summary>
    public static bool FinishStore(X86Cpu cpu, ref FloatEnv env)
    {
        if ((env.Flags & ~env.Masks & (FpuState.Oe | FpuState.Ue)) != 0)
        {
            // Nothing is stored, so nothing was rounded: no precision exception, C1 clear.
            env.Flags &= ~FpuState.Pe;
            env.RoundedUp = false;
            Finish(cpu, ref env);
            return false;
        }
        return Finish(cpu, ref env);
    }

    /// <summary>
    /// Stack underflow: an empty register was read. IE and SF set, C1 cleared;
    /// returns whether IE is masked (then the instruction goes on with the
    /// real indefinite as its result).
    /// </summary>
    public static bool StackUnderflow(X86Cpu cpu)
    {
        FpuState f = cpu.Fpu;
        f.StatusWord = (ushort)((f.StatusWord | FpuState.Ie | FpuState.Sf) & ~FpuState.C1);
        if ((f.ControlWord & FpuState.Ie) != 0)
            return true;
        f.StatusWord |= FpuState.Es | FpuState.Busy;
        RecordOpcode(cpu);
        return false;
    }

    /// <summary>
    /// Pushes a value. Onto a full register that is a stack overflow: IE, SF and
    /// C1 set; masked, the real indefinite is pushed instead; unmasked, nothing
    /// changes. Otherwise C1 is cleared. Returns whether a value was pushed.
    /// </summary>
    public static bool Push(X86Cpu cpu, Float80 value)
    {
        FpuState f = cpu.Fpu;
        if (!f.IsEmpty(7))
        {
            f.StatusWord |= FpuState.Ie | FpuState.Sf | FpuState.C1;
            if ((f.ControlWord & FpuState.Ie) == 0)
            {
                f.StatusWord |= FpuState.Es | FpuState.Busy;
                RecordOpcode(cpu);
                return false;
            }
            value = Float80.Indefinite;
        }
        else
        {
            f.StatusWord &= unchecked((ushort)~FpuState.C1);
        }
        f.Top--;
        f.Write(0, value);
        return true;
    }

    /// <summary>Whether a push would overflow the stack (ST(7) is not empty).</summary>
    public static bool WouldOverflow(FpuState f) => !f.IsEmpty(7);

    /// <summary>ST(i) of operand n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StIndex(ref DecodedOp op, int n) => RegisterInfo.Number(op.I.GetOpRegister(n));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatParts Unpack(Float80 v) => SoftFloat.UnpackExtended(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float80 Pack(in FloatParts p) => SoftFloat.PackExtended(p);

    /// <summary>
    /// The memory operand of an arithmetic or compare instruction as an
    /// extended value: m32fp and m64fp are widened exactly (an SNaN stays
    /// signaling, for the operation to report), m16int and m32int converted
    /// exactly; <paramref name="isInteger"/> tells which.
    /// </summary>
    public static FloatParts LoadOperand(X86Cpu cpu, ref DecodedOp op)
    {
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read);
        switch (op.I.MemorySize)
        {
            case MemorySize.Float32:
                return SoftFloat.UnpackSingle((uint)cpu.Read(linear, 4), false);
            case MemorySize.Float64:
                return SoftFloat.UnpackDouble(cpu.Read(linear, 8), false);
            case MemorySize.Float80:
                return SoftFloat.UnpackExtended(new Float80(cpu.Read(linear, 8), (ushort)cpu.Read(linear + 8, 2)));
            case MemorySize.Int16:
                return FromInteger((short)cpu.Read(linear, 2));
            case MemorySize.Int32:
                return FromInteger((int)cpu.Read(linear, 4));
            default:
                return FromInteger((long)cpu.Read(linear, 8));
        }
    }

    /// <summary>An integer as an extended value (always exact: 64 significand bits).</summary>
    public static FloatParts FromInteger(long value)
    {
        FloatEnv exact = default;
        return SoftFloat.FromInt64(ref exact, value, 64, SoftFloat.Extended);
    }

    /// <summary>
    /// FOP, the opcode of the last non-control instruction that raised an
    /// unmasked exception (the default with the fopcode compatibility mode off,
    /// SDM vol. 1, 8.1.9): the low three bits of the D8..DF byte and the ModR/M
    /// byte, read back from the instruction's code.
    /// </summary>
    public static void RecordOpcode(X86Cpu cpu)
    {
        ulong pc = cpu.CodeBits == 64 ? cpu.InstructionStart : (cpu.Cs.Base + cpu.InstructionStart) & 0xFFFF_FFFF;
        for (int i = 0; i < 14; i++)
        {
            int b = CodeByte(cpu, pc + (ulong)i);
            if (b < 0)
                return;
            if (b is 0x66 or 0x67 or 0xF2 or 0xF3 or 0x2E or 0x36 or 0x3E or 0x26 or 0x64 or 0x65 or 0xF0 or 0x9B
                || (cpu.CodeBits == 64 && (b & 0xF0) == 0x40))
                continue;
            if ((b & 0xF8) != 0xD8)
                return;
            int modrm = CodeByte(cpu, pc + (ulong)i + 1);
            if (modrm >= 0)
                cpu.Fpu.LastOpcode = (ushort)(((b & 7) << 8) | modrm);
            return;
        }
    }

    private static int CodeByte(X86Cpu cpu, ulong linear)
    {
        if (!cpu.TryTranslateQuietly(linear, out ulong physical))
            return -1;
        return (int)cpu.PhysicalRead(physical, 1);
    }
}
