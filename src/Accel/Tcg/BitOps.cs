using System.Numerics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>BT, BTS, BTR, BTC, BSF, BSR, TZCNT, LZCNT, POPCNT (Intel SDM vol. 2).</summary>
internal static unsafe class BitOps
{
    public static void Bt(X86Cpu cpu, ref DecodedOp op) => BitTest(cpu, ref op, 0);
    public static void Bts(X86Cpu cpu, ref DecodedOp op) => BitTest(cpu, ref op, 1);
    public static void Btr(X86Cpu cpu, ref DecodedOp op) => BitTest(cpu, ref op, 2);
    public static void Btc(X86Cpu cpu, ref DecodedOp op) => BitTest(cpu, ref op, 3);

    // CF gets the bit, which BTS sets, BTR clears, BTC flips. With a register bit offset and a
    // memory operand the offset is a signed bit string index, so it may reach outside the operand.
    private static void BitTest(X86Cpu cpu, ref DecodedOp op, int action)
    {
        int size = op.OperandSize;
        int bits = size * 8;
        bool immediate = op.I.Op1Kind != OpKind.Register;
        ulong offset = cpu.ReadOperand(ref op, 1, immediate ? 1 : size);
        if (op.I.Op0Kind == OpKind.Register)
        {
            int bit = (int)(offset & (ulong)(bits - 1));
            ulong value = cpu.ReadGpr(op.I.Op0Register);
            bool was = ((value >> bit) & 1) != 0;
            cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, was ? X86Cpu.FlagCf : 0);
            if (action != 0)
                cpu.WriteGpr(op.I.Op0Register, Apply(value, bit, action));
            return;
        }
        ulong ea = cpu.EffectiveAddress(ref op);
        int bitInOperand;
        if (immediate)
        {
            bitInOperand = (int)(offset & (ulong)(bits - 1));
        }
        else
        {
            long signed = X86Cpu.SignExtend(offset, size);
            ea = (ulong)((long)ea + (signed >> 3 & ~(long)(size - 1))) & op.AddressMask;
            bitInOperand = (int)(signed & (bits - 1));
        }
        ulong linear = cpu.Linear(op.Segment, ea, size, action == 0 ? MemoryAccess.Read : MemoryAccess.Write);
        if (action == 0)
        {
            bool set = ((cpu.Read(linear, size) >> bitInOperand) & 1) != 0;
            cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, set ? X86Cpu.FlagCf : 0);
            return;
        }
        ulong old;
        byte* p = op.I.HasLockPrefix ? cpu.AtomicPointer(linear, size) : null;
        if (p != null)
        {
            do
                old = X86Cpu.LoadVolatile(p, size);
            while (X86Cpu.CompareExchange(p, size, old, Apply(old, bitInOperand, action)) != old);
        }
        else if (op.I.HasLockPrefix)
        {
            lock (cpu.Platform.AtomicLock)
            {
                old = cpu.ReadForUpdate(linear, size);
                cpu.Write(linear, size, Apply(old, bitInOperand, action));
            }
        }
        else
        {
            old = cpu.ReadForUpdate(linear, size);
            cpu.Write(linear, size, Apply(old, bitInOperand, action));
        }
        cpu.UpdateArithmeticFlags(X86Cpu.FlagCf, ((old >> bitInOperand) & 1) != 0 ? X86Cpu.FlagCf : 0);
    }

    private static ulong Apply(ulong value, int bit, int action) => action switch
    {
        1 => value | (1UL << bit),
        2 => value & ~(1UL << bit),
        _ => value ^ (1UL << bit),
    };

    // BSF/BSR: ZF set and the destination unchanged when the source is 0.
    public static void Bsf(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong value = cpu.ReadOperand(ref op, 1, size);
        if (value == 0)
        {
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, X86Cpu.FlagZf);
            return;
        }
        cpu.WriteGpr(op.I.Op0Register, (ulong)BitOperations.TrailingZeroCount(value));
        cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, 0);
    }

    public static void Bsr(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong value = cpu.ReadOperand(ref op, 1, size);
        if (value == 0)
        {
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, X86Cpu.FlagZf);
            return;
        }
        cpu.WriteGpr(op.I.Op0Register, (ulong)(63 - BitOperations.LeadingZeroCount(value)));
        cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, 0);
    }

    // LZCNT: the operand size when the source is 0 (CF set), ZF when the result is 0.
    public static void Lzcnt(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong value = cpu.ReadOperand(ref op, 1, size);
        ulong count = (ulong)(BitOperations.LeadingZeroCount(value) - (64 - size * 8));
        cpu.WriteGpr(op.I.Op0Register, count);
        cpu.UpdateArithmeticFlags(X86Cpu.FlagCf | X86Cpu.FlagZf, (value == 0 ? X86Cpu.FlagCf : 0) | (count == 0 ? X86Cpu.FlagZf : 0));
    }

    public static void Popcnt(X86Cpu cpu, ref DecodedOp op)
    {
        ulong value = cpu.ReadOperand(ref op, 1, op.OperandSize);
        cpu.WriteGpr(op.I.Op0Register, (ulong)BitOperations.PopCount(value));
        cpu.SetArithmeticFlags(value == 0 ? X86Cpu.FlagZf : 0);
    }
}
