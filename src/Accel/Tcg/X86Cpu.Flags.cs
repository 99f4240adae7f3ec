using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emu.Accel.Tcg;

// Lazy arithmetic flags: an ALU instruction records its operation, operands,
// result and size; CF, PF, AF, ZF, SF and OF are computed only when something
// reads them (a Jcc usually needs one or two). The other RFLAGS bits always
// live in _rflags. Intel SDM vol. 1, 3.4.3.1 and appendix A.
internal sealed partial class X86Cpu
{
    private ulong _rflags = FlagFixed1;
    private FlagOp _flagOp;
    private int _flagSize = 8;
    private ulong _flagDst, _flagSrc, _flagResult;

    /// <summary>The carry into ADC/SBB, or the CF that INC/DEC leave unchanged.</summary>
    private bool _flagCarry;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SizeMask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignBit(int size) => 1UL << (size * 8 - 1);

    /// <summary>Records an ALU result for the lazy flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlags(FlagOp op, int size, ulong dst, ulong src, ulong result)
    {
        _flagOp = op;
        _flagSize = size;
        _flagDst = dst;
        _flagSrc = src;
        _flagResult = result;
    }

    /// <summary>ADC/SBB: the carry that went in matters for CF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlagsWithCarry(FlagOp op, int size, ulong dst, ulong src, ulong result, bool carryIn)
    {
        _flagCarry = carryIn;
        SetFlags(op, size, dst, src, result);
    }

    /// <summary>INC/DEC: every arithmetic flag but CF, which keeps its value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlagsKeepCarry(FlagOp op, int size, ulong dst, ulong result)
    {
        // After INC or DEC the preserved CF is already in _flagCarry.
        if (_flagOp is not (FlagOp.Inc or FlagOp.Dec))
            _flagCarry = Cf;
        SetFlags(op, size, dst, 1, result);
    }

    /// <summary>Sets the arithmetic flags to explicit values (the rest of RFLAGS unchanged).</summary>
    public void SetArithmeticFlags(ulong flags)
    {
        _rflags = (_rflags & ~ArithmeticFlags) | (flags & ArithmeticFlags);
        _flagOp = FlagOp.None;
    }

    /// <summary>SF, ZF and PF from a result, CF and OF as given, AF clear.</summary>
    public void SetResultFlags(ulong result, int size, bool carry, bool overflow)
    {
        ulong flags = 0;
        if ((result & SizeMask(size)) == 0) flags |= FlagZf;
        if ((result & SignBit(size)) != 0) flags |= FlagSf;
        if ((BitOperations.PopCount((uint)(result & 0xFF)) & 1) == 0) flags |= FlagPf;
        if (carry) flags |= FlagCf;
        if (overflow) flags |= FlagOf;
        SetArithmeticFlags(flags);
    }

    /// <summary>Changes some arithmetic flags, keeping the others as they are.</summary>
    public void UpdateArithmeticFlags(ulong mask, ulong values)
    {
        ulong current = ArithmeticFlagValues();
        SetArithmeticFlags((current & ~mask) | (values & mask));
    }

    public ulong GetRflags() => (_rflags & ~ArithmeticFlags) | ArithmeticFlagValues();

    /// <summary>Loads RFLAGS whole (bit 1 always reads 1); the caller applies privilege rules first.</summary>
    public void SetRflags(ulong value)
    {
        bool vmChanged = ((value ^ _rflags) & FlagVm) != 0;
        _rflags = (value | FlagFixed1) & 0x3F_7FD7;
        _flagOp = FlagOp.None;
        if (vmChanged)
            UpdateMode();
    }

    /// <summary>The non-arithmetic part of RFLAGS (IF, DF, TF, IOPL...), as stored.</summary>
    public ulong SystemFlags => _rflags & ~ArithmeticFlags;

    public bool InterruptsEnabled => (_rflags & FlagIf) != 0;

    public int Iopl => (int)((_rflags >> 12) & 3);

    public bool Direction => (_rflags & FlagDf) != 0;

    /// <summary>Sets or clears system flags (IF, DF, TF, AC, ...), never the arithmetic ones.</summary>
    public void SetSystemFlag(ulong flag, bool on)
    {
        if (on)
            _rflags |= flag & ~ArithmeticFlags;
        else
            _rflags &= ~(flag & ~ArithmeticFlags);
    }

    private ulong ArithmeticFlagValues()
    {
        if (_flagOp == FlagOp.None)
            return _rflags & ArithmeticFlags;
        ulong flags = 0;
        if (Cf) flags |= FlagCf;
        if (Pf) flags |= FlagPf;
        if (Af) flags |= FlagAf;
        if (Zf) flags |= FlagZf;
        if (Sf) flags |= FlagSf;
        if (Of) flags |= FlagOf;
        return flags;
    }

    public bool Cf
    {
        get
        {
            ulong mask = SizeMask(_flagSize);
            switch (_flagOp)
            {
                case FlagOp.None:
                    return (_rflags & FlagCf) != 0;
                case FlagOp.Add:
                    return (_flagResult & mask) < (_flagDst & mask);
                case FlagOp.Adc:
                    return (_flagResult & mask) < (_flagDst & mask) || (_flagCarry && (_flagResult & mask) == (_flagDst & mask));
                case FlagOp.Sub:
                    return (_flagDst & mask) < (_flagSrc & mask);
                case FlagOp.Sbb:
                    return (_flagDst & mask) < (_flagSrc & mask) || (_flagCarry && (_flagSrc & mask) == (_flagDst & mask));
                case FlagOp.Logic:
                    return false;
                case FlagOp.Inc:
                case FlagOp.Dec:
                    return _flagCarry;
                case FlagOp.Neg:
                    return (_flagSrc & mask) != 0;
                case FlagOp.Shl:
                {
                    // The last bit shifted out of the operand; _flagSrc is the count (1..63).
                    int bits = _flagSize * 8;
                    int count = (int)_flagSrc;
                    return count <= bits && ((_flagDst >> (bits - count)) & 1) != 0;
                }
                case FlagOp.Shr:
                {
                    int count = (int)_flagSrc;
                    return count <= 64 && (((_flagDst & mask) >> (count - 1)) & 1) != 0;
                }
                case FlagOp.Sar:
                {
                    int count = Math.Min((int)_flagSrc, _flagSize * 8);
                    long value = SignExtend(_flagDst, _flagSize);
                    return ((value >> (count - 1)) & 1) != 0;
                }
                default:
                    return false;
            }
        }
    }

    public bool Zf => _flagOp == FlagOp.None ? (_rflags & FlagZf) != 0 : (_flagResult & SizeMask(_flagSize)) == 0;

    public bool Sf => _flagOp == FlagOp.None ? (_rflags & FlagSf) != 0 : (_flagResult & SignBit(_flagSize)) != 0;

    public bool Pf => _flagOp == FlagOp.None ? (_rflags & FlagPf) != 0 : (BitOperations.PopCount((uint)(_flagResult & 0xFF)) & 1) == 0;

    public bool Af
    {
        get
        {
            switch (_flagOp)
            {
                case FlagOp.None:
                    return (_rflags & FlagAf) != 0;
                case FlagOp.Add:
                case FlagOp.Adc:
                case FlagOp.Sub:
                case FlagOp.Sbb:
                case FlagOp.Inc:
                case FlagOp.Dec:
                    return ((_flagDst ^ _flagSrc ^ _flagResult) & 0x10) != 0;
                case FlagOp.Neg:
                    return ((_flagSrc ^ _flagResult) & 0x10) != 0;
                default:
                    return false;
            }
        }
    }

    public bool Of
    {
        get
        {
            ulong sign = SignBit(_flagSize);
            switch (_flagOp)
            {
                case FlagOp.None:
                    return (_rflags & FlagOf) != 0;
                case FlagOp.Add:
                case FlagOp.Adc:
                case FlagOp.Inc:
                    return ((_flagDst ^ _flagResult) & (_flagSrc ^ _flagResult) & sign) != 0;
                case FlagOp.Sub:
                case FlagOp.Sbb:
                case FlagOp.Dec:
                    return ((_flagDst ^ _flagSrc) & (_flagDst ^ _flagResult) & sign) != 0;
                case FlagOp.Neg:
                    return (_flagSrc & SizeMask(_flagSize)) == sign;
                case FlagOp.Shl:
                    return ((_flagResult & sign) != 0) != Cf;
                case FlagOp.Shr:
                    return (_flagDst & sign) != 0;
                default:
                    return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignExtend(ulong value, int size) => size switch
    {
        1 => (sbyte)value,
        2 => (short)value,
        4 => (int)value,
        _ => (long)value,
    };

    /// <summary>Whether a Jcc/SETcc/CMOVcc condition holds.</summary>
    public bool Condition(ConditionCode cc) => cc switch
    {
        ConditionCode.o => Of,
        ConditionCode.no => !Of,
        ConditionCode.b => Cf,
        ConditionCode.ae => !Cf,
        ConditionCode.e => Zf,
        ConditionCode.ne => !Zf,
        ConditionCode.be => Cf || Zf,
        ConditionCode.a => !Cf && !Zf,
        ConditionCode.s => Sf,
        ConditionCode.ns => !Sf,
        ConditionCode.p => Pf,
        ConditionCode.np => !Pf,
        ConditionCode.l => Sf != Of,
        ConditionCode.ge => Sf == Of,
        ConditionCode.le => Zf || Sf != Of,
        ConditionCode.g => !Zf && Sf == Of,
        _ => true,
    };

    /// <summary>
    /// POPF and IRET's flag load (SDM POPF): IOPL changes only at CPL 0, IF
    /// only when CPL &lt;= IOPL; VM, VIF and VIP stay; RF is cleared; a 16-bit
    /// load keeps the upper half.
    /// </summary>
    public void LoadFlagsFromStack(ulong value, int size)
    {
        ulong changeable = ArithmeticFlags | FlagTf | FlagDf | FlagNt | FlagAc | FlagId;
        if (Cpl == 0)
            changeable |= FlagIopl;
        if (Cpl <= Iopl)
            changeable |= FlagIf;
        if (size == 2)
            changeable &= 0xFFFF;
        ulong current = GetRflags();
        bool interruptsWereOff = (current & FlagIf) == 0;
        SetRflags(((current & ~changeable) | (value & changeable)) & ~FlagRf);
        if (interruptsWereOff && InterruptsEnabled)
            RequestAttention();
    }
}
