using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD and SHRD (Intel SDM vol. 2B). A masked count of 0 changes no flag.</summary>
internal static class ShiftOps
{
    public static void Shl(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, FlagOp.Shl);
    public static void Shr(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, FlagOp.Shr);
    public static void Sar(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, FlagOp.Sar);

    // The count: an immediate, CL, or 1; masked to 5 bits (6 for 64-bit operands).
    private static int Count(X86Cpu cpu, ref DecodedOp op, int operand, int size)
    {
        ulong count = op.I.OpCount > operand ? cpu.ReadOperand(ref op, operand, 1) : 1;
        return (int)(count & (size == 8 ? 0x3FUL : 0x1FUL));
    }

    private static void Shift(X86Cpu cpu, ref DecodedOp op, FlagOp kind)
    {
        int size = op.OperandSize;
        int count = Count(cpu, ref op, 1, size);
        ulong linear = 0;
        bool memory = op.I.Op0Kind == OpKind.Memory;
        ulong value;
        if (memory)
        {
            linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
            value = cpu.ReadForUpdate(linear, size);
        }
        else
        {
            value = cpu.ReadGpr(op.I.Op0Register);
        }
        if (count == 0)
        {
            KeepDestination(cpu, ref op, memory, value);
            return;
        }
        ulong mask = X86Cpu.SizeMask(size);
        ulong result = kind switch
        {
            FlagOp.Shl => count >= 64 ? 0 : (value << count) & mask,
            FlagOp.Shr => count >= 64 ? 0 : (value & mask) >> count,
            _ => (ulong)(X86Cpu.SignExtend(value, size) >> Math.Min(count, 63)) & mask,
        };
        cpu.SetFlags(kind, size, value & mask, (ulong)count, result);
        if (memory)
            cpu.Write(linear, size, result);
        else
            cpu.WriteGpr(op.I.Op0Register, result);
    }

    // A masked count of 0 changes no flag and leaves the value as it is, but the destination is still
    // written: a 32-bit register gets bits 63:32 cleared, as by any 32-bit result (SDM vol. 1, 3.4.1.1;
    // "shl edx, 32" on the host clears the upper half of RDX).
    private static void KeepDestination(X86Cpu cpu, ref DecodedOp op, bool memory, ulong value)
    {
        if (!memory && op.OperandSize == 4)
            cpu.WriteGpr(op.I.Op0Register, value);
    }

    public static void Rol(X86Cpu cpu, ref DecodedOp op) => Rotate(cpu, ref op, left: true);
    public static void Ror(X86Cpu cpu, ref DecodedOp op) => Rotate(cpu, ref op, left: false);

    private static void Rotate(X86Cpu cpu, ref DecodedOp op, bool left)
    {
        int size = op.OperandSize;
        int bits = size * 8;
        int count = Count(cpu, ref op, 1, size);
        ulong linear = 0;
        bool memory = op.I.Op0Kind == OpKind.Memory;
        ulong value = memory
            ? cpu.ReadForUpdate(linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size)
            : cpu.ReadGpr(op.I.Op0Register);
        if (count == 0)
        {
            KeepDestination(cpu, ref op, memory, value);
            return;
        }
        int n = count % bits;
        ulong mask = X86Cpu.SizeMask(size);
        value &= mask;
        ulong result = n == 0 ? value : left
            ? ((value << n) | (value >> (bits - n))) & mask
            : ((value >> n) | (value << (bits - n))) & mask;
        ulong msb = X86Cpu.SignBit(size);
        bool cf = left ? (result & 1) != 0 : (result & msb) != 0;
        bool of = left ? ((result & msb) != 0) != cf : ((result & msb) != 0) != ((result & (msb >> 1)) != 0);
        cpu.UpdateArithmeticFlags(X86Cpu.FlagCf | X86Cpu.FlagOf, (cf ? X86Cpu.FlagCf : 0) | (of ? X86Cpu.FlagOf : 0));
        if (memory)
            cpu.Write(linear, size, result);
        else
            cpu.WriteGpr(op.I.Op0Register, result);
    }

    public static void Rcl(X86Cpu cpu, ref DecodedOp op) => RotateThroughCarry(cpu, ref op, left: true);
    public static void Rcr(X86Cpu cpu, ref DecodedOp op) => RotateThroughCarry(cpu, ref op, left: false);

    // RCL/RCR rotate the operand and CF together: size * 8 + 1 bits.
    private static void RotateThroughCarry(X86Cpu cpu, ref DecodedOp op, bool left)
    {
        int size = op.OperandSize;
        int bits = size * 8;
        int count = Count(cpu, ref op, 1, size);
        ulong linear = 0;
        bool memory = op.I.Op0Kind == OpKind.Memory;
        ulong value = memory
            ? cpu.ReadForUpdate(linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size)
            : cpu.ReadGpr(op.I.Op0Register);
        if (count == 0)
        {
            KeepDestination(cpu, ref op, memory, value);
            return;
        }
        count %= bits + 1;
        ulong mask = X86Cpu.SizeMask(size);
        ulong msb = X86Cpu.SignBit(size);
        value &= mask;
        bool cf = cpu.Cf;
        bool originalCf = cf;
        for (int i = 0; i < count; i++)
        {
            if (left)
            {
                bool outBit = (value & msb) != 0;
                value = ((value << 1) | (cf ? 1UL : 0)) & mask;
                cf = outBit;
            }
            else
            {
                bool outBit = (value & 1) != 0;
                value = (value >> 1) | (cf ? msb : 0);
                cf = outBit;
            }
        }
        bool of = left ? ((value & msb) != 0) != cf : ((value & msb) != 0) != ((value & (msb >> 1)) != 0);
        if (count == 0)
            cf = originalCf;
        cpu.UpdateArithmeticFlags(X86Cpu.FlagCf | X86Cpu.FlagOf, (cf ? X86Cpu.FlagCf : 0) | (of ? X86Cpu.FlagOf : 0));
        if (memory)
            cpu.Write(linear, size, value);
        else
            cpu.WriteGpr(op.I.Op0Register, value);
    }

    public static void Shld(X86Cpu cpu, ref DecodedOp op) => DoubleShift(cpu, ref op, left: true);
    public static void Shrd(X86Cpu cpu, ref DecodedOp op) => DoubleShift(cpu, ref op, left: false);

    // SHLD/SHRD: the destination shifted, its vacated bits filled from the source register.
    private static void DoubleShift(X86Cpu cpu, ref DecodedOp op, bool left)
    {
        int size = op.OperandSize;
        int bits = size * 8;
        int count = Count(cpu, ref op, 2, size);
        ulong linear = 0;
        bool memory = op.I.Op0Kind == OpKind.Memory;
        ulong dst = memory
            ? cpu.ReadForUpdate(linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write), size)
            : cpu.ReadGpr(op.I.Op0Register);
        ulong src = cpu.ReadGpr(op.I.Op1Register);
        if (count == 0)
        {
            KeepDestination(cpu, ref op, memory, dst);
            return;
        }
        ulong mask = X86Cpu.SizeMask(size);
        dst &= mask;
        src &= mask;
        ulong result;
        bool cf;
        if (count > bits)
        {
            // Undefined for 16-bit operands with counts above 16; do what a 32-bit shift of the pair would.
            count %= bits;
            if (count == 0)
                return;
        }
        if (left)
        {
            result = count == bits ? src : ((dst << count) | (src >> (bits - count))) & mask;
            cf = ((dst >> (bits - count)) & 1) != 0;
        }
        else
        {
            result = count == bits ? src : ((dst >> count) | (src << (bits - count))) & mask;
            cf = ((dst >> (count - 1)) & 1) != 0;
        }
        ulong msb = X86Cpu.SignBit(size);
        bool of = ((result ^ dst) & msb) != 0;
        cpu.SetResultFlags(result, size, cf, of);
        if (memory)
            cpu.Write(linear, size, result);
        else
            cpu.WriteGpr(op.I.Op0Register, result);
    }
}
