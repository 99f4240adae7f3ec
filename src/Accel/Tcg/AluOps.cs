using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>ADD, ADC, SUB, SBB, CMP, AND, OR, XOR, TEST and the one-operand INC, DEC, NEG, NOT (Intel SDM vol. 2).</summary>
internal static unsafe class AluOps
{
    public static void Add(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Add);
    public static void Adc(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Adc);
    public static void Sub(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Sub);
    public static void Sbb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Sbb);
    public static void Cmp(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Cmp);
    public static void And(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.And);
    public static void Or(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Or);
    public static void Xor(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Xor);
    public static void Test(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AluKind.Test);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Binary(X86Cpu cpu, ref DecodedOp op, AluKind kind)
    {
        int size = op.OperandSize;
        bool writes = kind is not (AluKind.Cmp or AluKind.Test);
        if (op.I.Op0Kind == OpKind.Register)
        {
            Register r = op.I.Op0Register;
            ulong dst = cpu.ReadGpr(r);
            ulong src = cpu.ReadOperand(ref op, 1, size);
            ulong result = Apply(cpu, kind, dst, src, size);
            if (writes)
                cpu.WriteGpr(r, result);
            return;
        }
        ulong source = cpu.ReadOperand(ref op, 1, size);
        ulong linear = cpu.MemoryAddress(ref op, size, writes ? MemoryAccess.Write : MemoryAccess.Read);
        if (!writes)
        {
            Apply(cpu, kind, cpu.Read(linear, size), source, size);
            return;
        }
        if (op.I.HasLockPrefix)
        {
            LockedBinary(cpu, kind, linear, size, source);
            return;
        }
        ulong value = cpu.ReadForUpdate(linear, size);
        cpu.Write(linear, size, Apply(cpu, kind, value, source, size));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Apply(X86Cpu cpu, AluKind kind, ulong dst, ulong src, int size)
    {
        ulong mask = X86Cpu.SizeMask(size);
        ulong result;
        switch (kind)
        {
            case AluKind.Add:
                result = (dst + src) & mask;
                cpu.SetFlags(FlagOp.Add, size, dst, src, result);
                return result;
            case AluKind.Adc:
            {
                bool carry = cpu.Cf;
                result = (dst + src + (carry ? 1UL : 0)) & mask;
                cpu.SetFlagsWithCarry(FlagOp.Adc, size, dst, src, result, carry);
                return result;
            }
            case AluKind.Sub:
            case AluKind.Cmp:
                result = (dst - src) & mask;
                cpu.SetFlags(FlagOp.Sub, size, dst, src, result);
                return result;
            case AluKind.Sbb:
            {
                bool carry = cpu.Cf;
                result = (dst - src - (carry ? 1UL : 0)) & mask;
                cpu.SetFlagsWithCarry(FlagOp.Sbb, size, dst, src, result, carry);
                return result;
            }
            case AluKind.And:
            case AluKind.Test:
                result = dst & src & mask;
                break;
            case AluKind.Or:
                result = (dst | src) & mask;
                break;
            default:
                result = (dst ^ src) & mask;
                break;
        }
        cpu.SetFlags(FlagOp.Logic, size, dst, src, result);
        return result;
    }

    private static void LockedBinary(X86Cpu cpu, AluKind kind, ulong linear, int size, ulong source)
    {
        byte* p = cpu.AtomicPointer(linear, size);
        if (p == null)
        {
            lock (cpu.Platform.AtomicLock)
                cpu.Write(linear, size, Apply(cpu, kind, cpu.Read(linear, size), source, size));
            return;
        }
        while (true)
        {
            ulong value = X86Cpu.LoadVolatile(p, size);
            ulong result = Apply(cpu, kind, value, source, size);
            if (X86Cpu.CompareExchange(p, size, value, result) == value)
                return;
        }
    }

    public static void Inc(X86Cpu cpu, ref DecodedOp op) => Unary(cpu, ref op, FlagOp.Inc);
    public static void Dec(X86Cpu cpu, ref DecodedOp op) => Unary(cpu, ref op, FlagOp.Dec);
    public static void Neg(X86Cpu cpu, ref DecodedOp op) => Unary(cpu, ref op, FlagOp.Neg);
    public static void Not(X86Cpu cpu, ref DecodedOp op) => Unary(cpu, ref op, FlagOp.None);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unary(X86Cpu cpu, ref DecodedOp op, FlagOp kind)
    {
        int size = op.OperandSize;
        if (op.I.Op0Kind == OpKind.Register)
        {
            Register r = op.I.Op0Register;
            cpu.WriteGpr(r, ApplyUnary(cpu, kind, cpu.ReadGpr(r), size));
            return;
        }
        ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
        if (op.I.HasLockPrefix)
        {
            byte* p = cpu.AtomicPointer(linear, size);
            if (p == null)
            {
                lock (cpu.Platform.AtomicLock)
                    cpu.Write(linear, size, ApplyUnary(cpu, kind, cpu.Read(linear, size), size));
                return;
            }
            while (true)
            {
                ulong value = X86Cpu.LoadVolatile(p, size);
                if (X86Cpu.CompareExchange(p, size, value, ApplyUnary(cpu, kind, value, size)) == value)
                    return;
            }
        }
        ulong current = cpu.ReadForUpdate(linear, size);
        cpu.Write(linear, size, ApplyUnary(cpu, kind, current, size));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ApplyUnary(X86Cpu cpu, FlagOp kind, ulong value, int size)
    {
        ulong mask = X86Cpu.SizeMask(size);
        ulong result;
        switch (kind)
        {
            case FlagOp.Inc:
                result = (value + 1) & mask;
                cpu.SetFlagsKeepCarry(FlagOp.Inc, size, value, result);
                return result;
            case FlagOp.Dec:
                result = (value - 1) & mask;
                cpu.SetFlagsKeepCarry(FlagOp.Dec, size, value, result);
                return result;
            case FlagOp.Neg:
                result = (0 - value) & mask;
                cpu.SetFlags(FlagOp.Neg, size, 0, value, result);
                return result;
            default:
                return ~value & mask; // NOT changes no flag
        }
    }
}
