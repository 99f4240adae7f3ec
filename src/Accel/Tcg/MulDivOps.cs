using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>MUL, IMUL (one, two and three operands), DIV and IDIV (Intel SDM vol. 2). SF, ZF, AF and PF are undefined after them.</summary>
internal static class MulDivOps
{
    public static void Mul(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong src = cpu.ReadOperand(ref op, 0, size);
        switch (size)
        {
            case 1:
            {
                ulong product = (cpu.Rax & 0xFF) * src;
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (product & 0xFFFF);
                SetFlags(cpu, product, size, product > 0xFF);
                break;
            }
            case 2:
            {
                ulong product = (cpu.Rax & 0xFFFF) * src;
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (product & 0xFFFF);
                cpu.Rdx = (cpu.Rdx & ~0xFFFFUL) | ((product >> 16) & 0xFFFF);
                SetFlags(cpu, product, size, product > 0xFFFF);
                break;
            }
            case 4:
            {
                ulong product = (cpu.Rax & 0xFFFF_FFFF) * src;
                cpu.Rax = (uint)product;
                cpu.Rdx = product >> 32;
                SetFlags(cpu, product, size, product > 0xFFFF_FFFF);
                break;
            }
            default:
            {
                ulong high = Math.BigMul(cpu.Rax, src, out ulong low);
                cpu.Rax = low;
                cpu.Rdx = high;
                SetFlags(cpu, low, size, high != 0);
                break;
            }
        }
    }

    public static void Imul(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        if (op.I.OpCount == 1)
        {
            ImulOneOperand(cpu, ref op, size);
            return;
        }
        // Two operands: dst *= src; three: dst = src * immediate. The product is truncated to the size.
        long a = X86Cpu.SignExtend(cpu.ReadOperand(ref op, op.I.OpCount == 2 ? 0 : 1, size), size);
        long b = X86Cpu.SignExtend(cpu.ReadOperand(ref op, op.I.OpCount == 2 ? 1 : 2, size), size);
        Int128 product = (Int128)a * b;
        ulong result = (ulong)(long)product & X86Cpu.SizeMask(size);
        bool overflow = product != X86Cpu.SignExtend(result, size);
        cpu.WriteGpr(op.I.Op0Register, result);
        SetFlags(cpu, result, size, overflow);
    }

    private static void ImulOneOperand(X86Cpu cpu, ref DecodedOp op, int size)
    {
        long src = X86Cpu.SignExtend(cpu.ReadOperand(ref op, 0, size), size);
        switch (size)
        {
            case 1:
            {
                long product = (sbyte)cpu.Rax * src;
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | ((ulong)product & 0xFFFF);
                SetFlags(cpu, (ulong)product, size, product != (sbyte)product);
                break;
            }
            case 2:
            {
                long product = (short)cpu.Rax * src;
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | ((ulong)product & 0xFFFF);
                cpu.Rdx = (cpu.Rdx & ~0xFFFFUL) | (((ulong)product >> 16) & 0xFFFF);
                SetFlags(cpu, (ulong)product, size, product != (short)product);
                break;
            }
            case 4:
            {
                long product = (int)cpu.Rax * src;
                cpu.Rax = (uint)product;
                cpu.Rdx = (uint)((ulong)product >> 32);
                SetFlags(cpu, (ulong)product, size, product != (int)product);
                break;
            }
            default:
            {
                Int128 product = (Int128)(long)cpu.Rax * src;
                cpu.Rax = (ulong)(long)product;
                cpu.Rdx = (ulong)(long)(product >> 64);
                SetFlags(cpu, cpu.Rax, size, product != (long)product);
                break;
            }
        }
    }

    private static void SetFlags(X86Cpu cpu, ulong low, int size, bool overflow) => cpu.SetResultFlags(low, size, overflow, overflow);

    public static void Div(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong divisor = cpu.ReadOperand(ref op, 0, size);
        if (divisor == 0)
            throw cpu.Fault(ExceptionVector.DivideError);
        switch (size)
        {
            case 1:
            {
                ulong dividend = cpu.Rax & 0xFFFF;
                ulong q = dividend / divisor, r = dividend % divisor;
                if (q > 0xFF)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (r << 8) | q;
                break;
            }
            case 2:
            {
                ulong dividend = ((cpu.Rdx & 0xFFFF) << 16) | (cpu.Rax & 0xFFFF);
                ulong q = dividend / divisor, r = dividend % divisor;
                if (q > 0xFFFF)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | q;
                cpu.Rdx = (cpu.Rdx & ~0xFFFFUL) | r;
                break;
            }
            case 4:
            {
                ulong dividend = ((cpu.Rdx & 0xFFFF_FFFF) << 32) | (cpu.Rax & 0xFFFF_FFFF);
                ulong q = dividend / divisor, r = dividend % divisor;
                if (q > 0xFFFF_FFFF)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = q;
                cpu.Rdx = r;
                break;
            }
            default:
            {
                if (cpu.Rdx >= divisor)
                    throw cpu.Fault(ExceptionVector.DivideError);
                UInt128 dividend = ((UInt128)cpu.Rdx << 64) | cpu.Rax;
                cpu.Rax = (ulong)(dividend / divisor);
                cpu.Rdx = (ulong)(dividend % divisor);
                break;
            }
        }
    }

    public static void Idiv(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        long divisor = X86Cpu.SignExtend(cpu.ReadOperand(ref op, 0, size), size);
        if (divisor == 0)
            throw cpu.Fault(ExceptionVector.DivideError);
        switch (size)
        {
            case 1:
            {
                long dividend = (short)cpu.Rax;
                long q = dividend / divisor, r = dividend % divisor;
                if (q != (sbyte)q)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (((ulong)r & 0xFF) << 8) | ((ulong)q & 0xFF);
                break;
            }
            case 2:
            {
                long dividend = (int)(((cpu.Rdx & 0xFFFF) << 16) | (cpu.Rax & 0xFFFF));
                long q = dividend / divisor, r = dividend % divisor;
                if (q != (short)q)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (cpu.Rax & ~0xFFFFUL) | ((ulong)q & 0xFFFF);
                cpu.Rdx = (cpu.Rdx & ~0xFFFFUL) | ((ulong)r & 0xFFFF);
                break;
            }
            case 4:
            {
                long dividend = (long)(((cpu.Rdx & 0xFFFF_FFFF) << 32) | (cpu.Rax & 0xFFFF_FFFF));
                if (dividend == long.MinValue && divisor == -1)
                    throw cpu.Fault(ExceptionVector.DivideError);
                long q = dividend / divisor, r = dividend % divisor;
                if (q != (int)q)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (uint)q;
                cpu.Rdx = (uint)r;
                break;
            }
            default:
            {
                Int128 dividend = (Int128)(((UInt128)cpu.Rdx << 64) | cpu.Rax);
                if (divisor == -1 && dividend == Int128.MinValue)
                    throw cpu.Fault(ExceptionVector.DivideError);
                Int128 q = dividend / divisor, r = dividend % divisor;
                if (q != (long)q)
                    throw cpu.Fault(ExceptionVector.DivideError);
                cpu.Rax = (ulong)(long)q;
                cpu.Rdx = (ulong)(long)r;
                break;
            }
        }
    }
}
