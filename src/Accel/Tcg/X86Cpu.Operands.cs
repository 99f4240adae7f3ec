using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emu.Accel.Tcg;

// Operands as the handlers see them: registers by Iced name, the memory
// operand's effective and linear address, immediates, and the stack.
internal sealed partial class X86Cpu
{
    /// <summary>Reads a general register at its own size (AH..BH are bits 15:8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadGpr(Register r)
    {
        int info = RegisterInfo.PackedGpr(r);
        ulong value = Gpr(info & 15);
        return (info >> 4) switch
        {
            8 => value,
            4 => (uint)value,
            2 => (ushort)value,
            _ => (info & 0x100) != 0 ? (byte)(value >> 8) : (byte)value,
        };
    }

    /// <summary>Writes a general register: 32-bit writes clear bits 63:32, 8- and 16-bit writes keep the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteGpr(Register r, ulong value)
    {
        int info = RegisterInfo.PackedGpr(r);
        ref ulong reg = ref Gpr(info & 15);
        switch (info >> 4)
        {
            case 8:
                reg = value;
                break;
            case 4:
                reg = (uint)value;
                break;
            case 2:
                reg = (reg & ~0xFFFFUL) | (ushort)value;
                break;
            default:
                if ((info & 0x100) != 0)
                    reg = (reg & ~0xFF00UL) | ((value & 0xFF) << 8);
                else
                    reg = (reg & ~0xFFUL) | (byte)value;
                break;
        }
    }

    /// <summary>The memory operand's offset in its segment, wrapped at the address size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong EffectiveAddress(ref DecodedOp op)
    {
        ulong ea = op.Displacement;
        if (op.Base >= 0)
            ea += Gpr(op.Base);
        if (op.Index >= 0)
            ea += Gpr(op.Index) << op.ScaleShift;
        return ea & op.AddressMask;
    }

    /// <summary>The memory operand's linear address for an access of <paramref name="size"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong MemoryAddress(ref DecodedOp op, int size, MemoryAccess access) => Linear(op.Segment, EffectiveAddress(ref op), size, access);

    /// <summary>Reads operand <paramref name="n"/> at <paramref name="size"/> bytes (immediates sign-extended as encoded).</summary>
    public ulong ReadOperand(ref DecodedOp op, int n, int size)
    {
        switch (op.I.GetOpKind(n))
        {
            case OpKind.Register:
                return ReadGpr(op.I.GetOpRegister(n));
            case OpKind.Memory:
                return Read(MemoryAddress(ref op, size, MemoryAccess.Read), size);
            default:
                return op.I.GetImmediate(n) & SizeMask(size);
        }
    }

    /// <summary>Writes operand <paramref name="n"/> (a general register or memory).</summary>
    public void WriteOperand(ref DecodedOp op, int n, int size, ulong value)
    {
        if (op.I.GetOpKind(n) == OpKind.Register)
            WriteGpr(op.I.GetOpRegister(n), value);
        else
            Write(MemoryAddress(ref op, size, MemoryAccess.Write), size, value);
    }

    // --- The stack (SS, with the stack address size: SS.B, or 64 bits in long mode) ---

    private ulong StackMask => StackBits == 64 ? ulong.MaxValue : StackBits == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;

    private void SetStackPointer(ulong value)
    {
        if (StackBits == 64)
            Rsp = value;
        else if (StackBits == 32)
            Rsp = (uint)value;
        else
            Rsp = (Rsp & ~0xFFFFUL) | (ushort)value;
    }

    public void Push(ulong value, int size)
    {
        ulong sp = (Rsp - (ulong)size) & StackMask;
        Write(Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Write), size, value);
        SetStackPointer(sp);
    }

    public ulong Pop(int size)
    {
        ulong sp = Rsp & StackMask;
        ulong value = Read(Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Read), size);
        SetStackPointer(sp + (ulong)size);
        return value;
    }

    /// <summary>Reads the stack without popping (for instructions that must not change RSP if they fault later).</summary>
    public ulong PeekStack(int offset, int size)
    {
        ulong sp = (Rsp + (ulong)offset) & StackMask;
        return Read(Linear(SegmentIndex.Ss, sp, size, MemoryAccess.Read), size);
    }

    public void AdjustStack(long delta) => SetStackPointer((ulong)((long)(Rsp & StackMask) + delta));

    /// <summary>
    /// Sets RIP for a jump to an offset in CS (already wrapped to the operand
    /// size), checking canonical form in 64-bit mode and the CS limit elsewhere (#GP(0)).
    /// </summary>
    public void Jump(ulong target)
    {
        if (CodeBits == 64)
        {
            if (!IsCanonical(target))
                throw Fault(ExceptionVector.GeneralProtection, 0);
            Rip = target;
            return;
        }
        if (target > Cs.Limit && ProtectedMode)
            throw Fault(ExceptionVector.GeneralProtection, 0);
        Rip = target;
    }
}
