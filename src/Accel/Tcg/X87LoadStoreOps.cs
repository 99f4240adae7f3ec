using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// x87 data transfer (Intel SDM vol. 2 and vol. 1, 8.3.3-8.3.8): FLD, FST,
/// FSTP, FILD, FIST, FISTP, FISTTP, FBLD, FBSTP, FXCH, FCMOVcc and the
/// constant loads. Loads from m32fp/m64fp are exact (an SNaN is an invalid
/// operation, a denormal a denormal operand); stores round with the
/// control word's RC (PC does not apply); m80fp moves are bit-exact.
/// </summary>
internal static class X87LoadStoreOps
{
    public static void Fld(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (op.I.Op0Kind == OpKind.Register)
        {
            int i = X87Unit.StIndex(ref op, 0);
            if (f.IsEmpty(i))
            {
                // An empty source: the stack underflow is what is reported (C1 clear), even if the push overflows too.
                if (!X87Unit.StackUnderflow(cpu))
                    return;
                X87Unit.Push(cpu, Float80.Indefinite);
                f.StatusWord &= unchecked((ushort)~FpuState.C1);
                return;
            }
            X87Unit.Push(cpu, f.Read(i));
            return;
        }
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read);
        if (op.I.MemorySize == MemorySize.Float80)
        {
            X87Unit.Push(cpu, new Float80(cpu.Read(linear, 8), (ushort)cpu.Read(linear + 8, 2)));
            return;
        }
        FloatParts source = X87Unit.LoadOperand(cpu, ref op);
        if (X87Unit.WouldOverflow(f))
        {
            // The stack overflow is reported alone: the operand is not converted.
            X87Unit.Push(cpu, Float80.Indefinite);
            return;
        }
        FloatEnv env = X87Unit.Env(f);
        FloatParts value80 = SoftFloat.Convert(ref env, source, 64, SoftFloat.Extended);
        // An unmasked invalid operation (SNaN) keeps the stack as it was; an unmasked denormal operand does not:
        // the value is loaded (normalized) and the exception is pending (as the reference hardware does).
        bool invalidUnmasked = (env.Flags & ~env.Masks & FpuState.Ie) != 0;
        int masks = env.Masks;
        env.Masks |= FpuState.De;
        X87Unit.Finish(cpu, ref env, setC1: false);
        if ((env.Flags & ~masks & FpuState.De) != 0)
        {
            f.StatusWord |= FpuState.Es | FpuState.Busy;
            X87Unit.RecordOpcode(cpu);
        }
        if (invalidUnmasked)
            return;
        X87Unit.Push(cpu, X87Unit.Pack(value80));
    }

    public static void Fild(X86Cpu cpu, ref DecodedOp op)
    {
        X87Unit.Begin(cpu, ref op);
        X87Unit.Push(cpu, X87Unit.Pack(X87Unit.LoadOperand(cpu, ref op)));
    }

    public static void Fst(X86Cpu cpu, ref DecodedOp op) => Store(cpu, ref op, pop: false);

    public static void Fstp(X86Cpu cpu, ref DecodedOp op) => Store(cpu, ref op, pop: true);

    private static void Store(X86Cpu cpu, ref DecodedOp op, bool pop)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (op.I.Op0Kind == OpKind.Register)
        {
            int i = X87Unit.StIndex(ref op, 0);
            Float80 value;
            if (f.IsEmpty(0))
            {
                if (!X87Unit.StackUnderflow(cpu))
                    return;
                value = Float80.Indefinite;
            }
            else
            {
                value = f.Read(0);
                f.StatusWord &= unchecked((ushort)~FpuState.C1);
            }
            f.Write(i, value);
            if (pop)
                f.Pop();
            return;
        }
        int size = op.MemorySize;
        ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            WriteFloat(cpu, linear, size, FloatParts.DefaultNaN);
            if (pop)
                f.Pop();
            return;
        }
        if (size == 10)
        {
            Float80 v = f.Read(0);
            cpu.ProbeWrite(linear + 9);
            cpu.Write(linear, 8, v.Significand);
            cpu.Write(linear + 8, 2, v.SignExponent);
            f.StatusWord &= unchecked((ushort)~FpuState.C1);
        }
        else
        {
            FloatEnv env = X87Unit.Env(f);
            FloatParts r = Narrow(ref env, X87Unit.Unpack(f.Read(0)), size == 4 ? SoftFloat.Single : SoftFloat.Double);
            if (!X87Unit.FinishStore(cpu, ref env))
                return;
            WriteFloat(cpu, linear, size, r);
        }
        if (pop)
            f.Pop();
    }

    /// <summary>ST(0) rounded to single or double for a store (no denormal-operand exception: SDM vol. 2, FST).</summary>
    private static FloatParts Narrow(ref FloatEnv env, in FloatParts a, in FloatFormat format)
    {
        if (a.Class == FloatClass.Finite)
            return SoftFloat.Round(ref env, a.Sign, a.Exp, a.Sig, 0, format.Precision, format);
        return SoftFloat.Convert(ref env, a, format.Precision, format);
    }

    private static void WriteFloat(X86Cpu cpu, ulong linear, int size, in FloatParts value)
    {
        switch (size)
        {
            case 4:
                cpu.Write(linear, 4, SoftFloat.PackSingle(value));
                break;
            case 8:
                cpu.Write(linear, 8, SoftFloat.PackDouble(value));
                break;
            default:
                Float80 v = SoftFloat.PackExtended(value);
                cpu.ProbeWrite(linear + 9);
                cpu.Write(linear, 8, v.Significand);
                cpu.Write(linear + 8, 2, v.SignExponent);
                break;
        }
    }

    public static void Fist(X86Cpu cpu, ref DecodedOp op) => StoreInteger(cpu, ref op, pop: false, truncate: false);

    public static void Fistp(X86Cpu cpu, ref DecodedOp op) => StoreInteger(cpu, ref op, pop: true, truncate: false);

    /// <summary>FISTTP (SSE3): always truncates, always pops.</summary>
    public static void Fisttp(X86Cpu cpu, ref DecodedOp op) => StoreInteger(cpu, ref op, pop: true, truncate: true);

    /// <summary>
    /// ST(0) rounded to an integer; a NaN, an infinity or a value out of range
    /// is an invalid operation that stores the integer indefinite when masked
    /// (SDM vol. 2, FIST).
    /// </summary>
    private static void StoreInteger(X86Cpu cpu, ref DecodedOp op, bool pop, bool truncate)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int size = op.MemorySize;
        ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
        ulong value;
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            value = 1UL << (size * 8 - 1);
        }
        else
        {
            FloatEnv env = X87Unit.Env(f);
            value = SoftFloat.ToInteger(ref env, X87Unit.Unpack(f.Read(0)), size * 8, truncate);
            if (!X87Unit.FinishStore(cpu, ref env))
                return;
        }
        cpu.Write(linear, size, value);
        if (pop)
            f.Pop();
    }

    /// <summary>FBLD: an 18-digit packed BCD integer (nine bytes of digit pairs, the sign in bit 7 of the tenth).</summary>
    public static void Fbld(X86Cpu cpu, ref DecodedOp op)
    {
        X87Unit.Begin(cpu, ref op);
        ulong linear = cpu.MemoryAddress(ref op, 10, MemoryAccess.Read);
        ulong low = cpu.Read(linear, 8);
        ulong high = cpu.Read(linear + 8, 2);
        long value = 0;
        for (int i = 8; i >= 0; i--)
        {
            int b = (int)((i < 8 ? low >> (8 * i) : high) & 0xFF);
            value = value * 100 + (b >> 4) * 10 + (b & 15); // digits above 9 give an undefined value
        }
        FloatParts p = X87Unit.FromInteger(value);
        p.Sign = (high & 0x8000) != 0;
        X87Unit.Push(cpu, X87Unit.Pack(p));
    }

    /// <summary>
    /// FBSTP: ST(0) rounded to an integer and stored as packed BCD, then popped;
    /// beyond 18 digits, or a NaN or infinity, it is an invalid operation and
    /// the packed BCD indefinite (FFFF C000 0000 0000 0000h) is stored when masked.
    /// </summary>
    public static void Fbstp(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        ulong linear = cpu.MemoryAddress(ref op, 10, MemoryAccess.Write);
        ulong low, high;
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            low = 0xC000_0000_0000_0000;
            high = 0xFFFF;
        }
        else
        {
            FloatEnv env = X87Unit.Env(f);
            FloatParts a = X87Unit.Unpack(f.Read(0));
            ulong integer = SoftFloat.ToInteger(ref env, a, 64, truncate: false);
            ulong magnitude = a.Sign ? 0 - integer : integer;
            bool valid = (env.Flags & FpuState.Ie) == 0 && magnitude <= 999_999_999_999_999_999UL;
            if (!valid)
            {
                env.Flags = (env.Flags & ~FpuState.Pe) | FpuState.Ie;
                low = 0xC000_0000_0000_0000;
                high = 0xFFFF;
            }
            else
            {
                low = 0;
                for (int i = 0; i < 16; i++)
                {
                    low |= (magnitude % 10) << (4 * i);
                    magnitude /= 10;
                }
                high = (magnitude % 10) | ((magnitude / 10 % 10) << 4) | (a.Sign ? 0x8000UL : 0);
            }
            if (!X87Unit.FinishStore(cpu, ref env))
                return;
        }
        cpu.ProbeWrite(linear + 9);
        cpu.Write(linear, 8, low);
        cpu.Write(linear + 8, 2, high);
        f.Pop();
    }

    /// <summary>FXCH: an empty register in the exchange is a stack underflow; masked, it is taken as the real indefinite.</summary>
    public static void Fxch(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int i = op.I.OpCount > 1 ? X87Unit.StIndex(ref op, 1) : 1;
        Float80 a, b;
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            bool emptyA = f.IsEmpty(0), emptyB = f.IsEmpty(i);
            if (!X87Unit.StackUnderflow(cpu))
                return;
            a = emptyA ? Float80.Indefinite : f.Read(0);
            b = emptyB ? Float80.Indefinite : f.Read(i);
        }
        else
        {
            a = f.Read(0);
            b = f.Read(i);
            f.StatusWord &= unchecked((ushort)~FpuState.C1);
        }
        f.Write(0, b);
        f.Write(i, a);
    }

    /// <summary>FCMOVcc: ST(0) = ST(i) when the EFLAGS condition holds.</summary>
    public static void Fcmov(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int i = X87Unit.StIndex(ref op, 1);
        bool condition = op.I.Mnemonic switch
        {
            Mnemonic.Fcmovb => cpu.Cf,
            Mnemonic.Fcmove => cpu.Zf,
            Mnemonic.Fcmovbe => cpu.Cf || cpu.Zf,
            Mnemonic.Fcmovu => cpu.Pf,
            Mnemonic.Fcmovnb => !cpu.Cf,
            Mnemonic.Fcmovne => !cpu.Zf,
            Mnemonic.Fcmovnbe => !cpu.Cf && !cpu.Zf,
            _ => !cpu.Pf,
        };
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            f.Write(0, Float80.Indefinite);
            return;
        }
        if (condition)
            f.Write(0, f.Read(i));
    }

    // --- Constants: kept with 66 significand bits and rounded with RC, as the hardware does (SDM vol. 1, 8.3.8) ---

    public static void Fld1(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, 0, 0x8000_0000_0000_0000, 0);
    public static void Fldz(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, 0, 0, 0);
    public static void Fldpi(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, 1, 0xC90F_DAA2_2168_C234, 0xC4C6_628B_80DC_1CD1);
    public static void Fldl2e(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, 0, 0xB8AA_3B29_5C17_F0BB, 0xBE87_FED0_691D_3E88);
    public static void Fldl2t(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, 1, 0xD49A_784B_CD1B_8AFE, 0x492B_F6FF_4DAF_DB4C);
    public static void Fldlg2(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, -2, 0x9A20_9A84_FBCF_F798, 0x8F89_59AC_0B7C_9178);
    public static void Fldln2(X86Cpu cpu, ref DecodedOp op) => LoadConstant(cpu, ref op, -1, 0xB172_17F7_D1CF_79AB, 0xC9E3_B398_03F2_F6AF);

    private static void LoadConstant(X86Cpu cpu, ref DecodedOp op, int exp, ulong significand, ulong below)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        if (significand == 0)
        {
            X87Unit.Push(cpu, Float80.Zero(false));
            return;
        }
        FloatEnv env = X87Unit.Env(f);
        FloatParts value = SoftFloat.Round(ref env, false, exp, significand, below & 0xC000_0000_0000_0000, 64, SoftFloat.Extended);
        X87Unit.Push(cpu, X87Unit.Pack(value)); // no exception but stack overflow
    }
}
