using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>
/// The element-wise integer instructions of MMX, SSE, SSE2, SSSE3 and
/// SSE4.1 on MMX (64-bit) and XMM (128-bit) registers, and the bitwise
/// logic of both integer and floating-point forms (Intel SDM vol. 2). Each
/// works on 128 bits; an MMX form computes on the low 64 and keeps those.
/// </summary>
internal static class SseIntegerOps
{
    private const int AddB = 0, AddW = 1, AddD = 2, AddQ = 3, SubB = 4, SubW = 5, SubD = 6, SubQ = 7,
        AddSB = 8, AddSW = 9, AddUSB = 10, AddUSW = 11, SubSB = 12, SubSW = 13, SubUSB = 14, SubUSW = 15,
        And = 16, AndNot = 17, Or = 18, Xor = 19,
        CmpEqB = 20, CmpEqW = 21, CmpEqD = 22, CmpEqQ = 23, CmpGtB = 24, CmpGtW = 25, CmpGtD = 26, CmpGtQ = 27,
        MulLoW = 28, MulHiW = 29, MulHiUW = 30, MulUDQ = 31, MAddWD = 32, MulLoD = 33, MulDQ = 34, MulHRSW = 35, MAddUBSW = 36,
        AvgB = 37, AvgW = 38, MaxUB = 39, MaxSW = 40, MinUB = 41, MinSW = 42,
        MaxSB = 43, MaxSD = 44, MaxUW = 45, MaxUD = 46, MinSB = 47, MinSD = 48, MinUW = 49, MinUD = 50,
        SadBW = 51, SignB = 52, SignW = 53, SignD = 54;

    public static void Paddb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddB);
    public static void Paddw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddW);
    public static void Paddd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddD);
    public static void Paddq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddQ);
    public static void Psubb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubB);
    public static void Psubw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubW);
    public static void Psubd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubD);
    public static void Psubq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubQ);
    public static void Paddsb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddSB);
    public static void Paddsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddSW);
    public static void Paddusb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddUSB);
    public static void Paddusw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AddUSW);
    public static void Psubsb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubSB);
    public static void Psubsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubSW);
    public static void Psubusb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubUSB);
    public static void Psubusw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SubUSW);
    public static void Pand(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, And);
    public static void Pandn(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AndNot);
    public static void Por(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Or);
    public static void Pxor(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Xor);
    public static void Pcmpeqb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpEqB);
    public static void Pcmpeqw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpEqW);
    public static void Pcmpeqd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpEqD);
    public static void Pcmpeqq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpEqQ);
    public static void Pcmpgtb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpGtB);
    public static void Pcmpgtw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpGtW);
    public static void Pcmpgtd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpGtD);
    public static void Pcmpgtq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, CmpGtQ);
    public static void Pmullw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulLoW);
    public static void Pmulhw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulHiW);
    public static void Pmulhuw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulHiUW);
    public static void Pmuludq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulUDQ);
    public static void Pmaddwd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MAddWD);
    public static void Pmulld(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulLoD);
    public static void Pmuldq(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulDQ);
    public static void Pmulhrsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MulHRSW);
    public static void Pmaddubsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MAddUBSW);
    public static void Pavgb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AvgB);
    public static void Pavgw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AvgW);
    public static void Pmaxub(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxUB);
    public static void Pmaxsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxSW);
    public static void Pminub(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinUB);
    public static void Pminsw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinSW);
    public static void Pmaxsb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxSB);
    public static void Pmaxsd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxSD);
    public static void Pmaxuw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxUW);
    public static void Pmaxud(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MaxUD);
    public static void Pminsb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinSB);
    public static void Pminsd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinSD);
    public static void Pminuw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinUW);
    public static void Pminud(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, MinUD);
    public static void Psadbw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SadBW);
    public static void Psignb(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SignB);
    public static void Psignw(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SignW);
    public static void Psignd(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, SignD);

    // ANDPS/ANDPD/ANDNPS/ANDNPD/ORPS/ORPD/XORPS/XORPD: the same bitwise operations (no floating-point exceptions).
    public static void Andps(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, And);
    public static void Andnps(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, AndNot);
    public static void Orps(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Or);
    public static void Xorps(X86Cpu cpu, ref DecodedOp op) => Binary(cpu, ref op, Xor);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Binary(X86Cpu cpu, ref DecodedOp op, int kind)
    {
        if (SseOperands.IsMmxForm(ref op))
        {
            SseOperands.CheckMmx(cpu);
            int m = SseOperands.Number(op.I.Op0Register);
            Vector128<byte> a = Vector128.CreateScalar(cpu.Fpu.ReadMmx(m)).AsByte();
            Vector128<byte> b = Vector128.CreateScalar(SseOperands.Source64(cpu, ref op, 1)).AsByte();
            cpu.Fpu.WriteMmx(m, Apply(kind, a, b).AsUInt64().ToScalar());
            return;
        }
        SseOperands.CheckSse(cpu);
        Vector128<byte> source = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        dst = Apply(kind, dst, source);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Apply(int kind, Vector128<byte> a, Vector128<byte> b)
    {
        switch (kind)
        {
            case AddB: return Vector128.Add(a, b);
            case AddW: return Vector128.Add(a.AsUInt16(), b.AsUInt16()).AsByte();
            case AddD: return Vector128.Add(a.AsUInt32(), b.AsUInt32()).AsByte();
            case AddQ: return Vector128.Add(a.AsUInt64(), b.AsUInt64()).AsByte();
            case SubB: return Vector128.Subtract(a, b);
            case SubW: return Vector128.Subtract(a.AsUInt16(), b.AsUInt16()).AsByte();
            case SubD: return Vector128.Subtract(a.AsUInt32(), b.AsUInt32()).AsByte();
            case SubQ: return Vector128.Subtract(a.AsUInt64(), b.AsUInt64()).AsByte();
            case AddSB: return Vector128.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte();
            case AddSW: return Vector128.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte();
            case AddUSB: return Vector128.AddSaturate(a, b);
            case AddUSW: return Vector128.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
            case SubSB: return Vector128.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte();
            case SubSW: return Vector128.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte();
            case SubUSB: return Vector128.SubtractSaturate(a, b);
            case SubUSW: return Vector128.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte();
            case And: return a & b;
            case AndNot: return Vector128.AndNot(b, a); // PANDN: NOT(destination) AND source
            case Or: return a | b;
            case Xor: return a ^ b;
            case CmpEqB: return Vector128.Equals(a, b);
            case CmpEqW: return Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsByte();
            case CmpEqD: return Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsByte();
            case CmpEqQ: return Vector128.Equals(a.AsUInt64(), b.AsUInt64()).AsByte();
            case CmpGtB: return Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte();
            case CmpGtW: return Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsByte();
            case CmpGtD: return Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsByte();
            case CmpGtQ: return Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsByte();
            case MulLoW: return Vector128.Multiply(a.AsUInt16(), b.AsUInt16()).AsByte();
            case MulLoD: return Vector128.Multiply(a.AsUInt32(), b.AsUInt32()).AsByte();
            case MaxUB: return Vector128.Max(a, b);
            case MaxSW: return Vector128.Max(a.AsInt16(), b.AsInt16()).AsByte();
            case MinUB: return Vector128.Min(a, b);
            case MinSW: return Vector128.Min(a.AsInt16(), b.AsInt16()).AsByte();
            case MaxSB: return Vector128.Max(a.AsSByte(), b.AsSByte()).AsByte();
            case MaxSD: return Vector128.Max(a.AsInt32(), b.AsInt32()).AsByte();
            case MaxUW: return Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsByte();
            case MaxUD: return Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsByte();
            case MinSB: return Vector128.Min(a.AsSByte(), b.AsSByte()).AsByte();
            case MinSD: return Vector128.Min(a.AsInt32(), b.AsInt32()).AsByte();
            case MinUW: return Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsByte();
            case MinUD: return Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsByte();
            default: return ApplyByLanes(kind, a, b);
        }
    }

    // The operations with no portable vector form, one element at a time.
    private static Vector128<byte> ApplyByLanes(int kind, Vector128<byte> a, Vector128<byte> b)
    {
        Vector128<byte> r = default;
        switch (kind)
        {
            case MulHiW:
                for (int i = 0; i < 8; i++)
                    SseLanes.S16(ref r, i) = (short)((SseLanes.S16(ref a, i) * SseLanes.S16(ref b, i)) >> 16);
                break;
            case MulHiUW:
                for (int i = 0; i < 8; i++)
                    SseLanes.U16(ref r, i) = (ushort)((SseLanes.U16(ref a, i) * (uint)SseLanes.U16(ref b, i)) >> 16);
                break;
            case MulHRSW:
                // (a * b + 2^14) >> 15, truncated to 16 bits (SDM vol. 2, PMULHRSW).
                for (int i = 0; i < 8; i++)
                    SseLanes.S16(ref r, i) = (short)(((SseLanes.S16(ref a, i) * SseLanes.S16(ref b, i) >> 14) + 1) >> 1);
                break;
            case MulUDQ:
                for (int i = 0; i < 2; i++)
                    SseLanes.U64(ref r, i) = (ulong)SseLanes.U32(ref a, 2 * i) * SseLanes.U32(ref b, 2 * i);
                break;
            case MulDQ:
                for (int i = 0; i < 2; i++)
                    SseLanes.S64(ref r, i) = (long)SseLanes.S32(ref a, 2 * i) * SseLanes.S32(ref b, 2 * i);
                break;
            case MAddWD:
                // Two products summed into a doubleword; 0x8000 * 0x8000 * 2 wraps to 0x80000000.
                for (int i = 0; i < 4; i++)
                    SseLanes.U32(ref r, i) = (uint)(SseLanes.S16(ref a, 2 * i) * SseLanes.S16(ref b, 2 * i))
                        + (uint)(SseLanes.S16(ref a, 2 * i + 1) * SseLanes.S16(ref b, 2 * i + 1));
                break;
            case MAddUBSW:
                // Unsigned bytes of the destination times signed bytes of the source, pairs summed with signed saturation.
                for (int i = 0; i < 8; i++)
                {
                    int sum = SseLanes.U8(ref a, 2 * i) * SseLanes.S8(ref b, 2 * i) + SseLanes.U8(ref a, 2 * i + 1) * SseLanes.S8(ref b, 2 * i + 1);
                    SseLanes.S16(ref r, i) = (short)Math.Clamp(sum, short.MinValue, short.MaxValue);
                }
                break;
            case AvgB:
                for (int i = 0; i < 16; i++)
                    SseLanes.U8(ref r, i) = (byte)((SseLanes.U8(ref a, i) + SseLanes.U8(ref b, i) + 1) >> 1);
                break;
            case AvgW:
                for (int i = 0; i < 8; i++)
                    SseLanes.U16(ref r, i) = (ushort)((SseLanes.U16(ref a, i) + SseLanes.U16(ref b, i) + 1) >> 1);
                break;
            case SadBW:
                // The sum of absolute differences of each 8 bytes into the low word of each quadword (the rest zero).
                for (int q = 0; q < 2; q++)
                {
                    int sum = 0;
                    for (int i = 8 * q; i < 8 * q + 8; i++)
                        sum += Math.Abs(SseLanes.U8(ref a, i) - SseLanes.U8(ref b, i));
                    SseLanes.U64(ref r, q) = (ulong)sum;
                }
                break;
            case SignB:
                for (int i = 0; i < 16; i++)
                    SseLanes.S8(ref r, i) = (sbyte)(SseLanes.S8(ref b, i) < 0 ? -SseLanes.S8(ref a, i) : SseLanes.S8(ref b, i) == 0 ? 0 : SseLanes.S8(ref a, i));
                break;
            case SignW:
                for (int i = 0; i < 8; i++)
                    SseLanes.S16(ref r, i) = (short)(SseLanes.S16(ref b, i) < 0 ? -SseLanes.S16(ref a, i) : SseLanes.S16(ref b, i) == 0 ? 0 : SseLanes.S16(ref a, i));
                break;
            case SignD:
                for (int i = 0; i < 4; i++)
                    SseLanes.S32(ref r, i) = SseLanes.S32(ref b, i) < 0 ? -SseLanes.S32(ref a, i) : SseLanes.S32(ref b, i) == 0 ? 0 : SseLanes.S32(ref a, i);
                break;
        }
        return r;
    }

    // --- PABSB/W/D (SSSE3): absolute values of the source ---

    public static void Pabsb(X86Cpu cpu, ref DecodedOp op) => Absolute(cpu, ref op, 1);
    public static void Pabsw(X86Cpu cpu, ref DecodedOp op) => Absolute(cpu, ref op, 2);
    public static void Pabsd(X86Cpu cpu, ref DecodedOp op) => Absolute(cpu, ref op, 4);

    private static void Absolute(X86Cpu cpu, ref DecodedOp op, int size)
    {
        bool mmx = SseOperands.IsMmxForm(ref op);
        Vector128<byte> b;
        if (mmx)
        {
            SseOperands.CheckMmx(cpu);
            b = Vector128.CreateScalar(SseOperands.Source64(cpu, ref op, 1)).AsByte();
        }
        else
        {
            SseOperands.CheckSse(cpu);
            b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        }
        // The most negative value stays as it is (its absolute value read unsigned).
        Vector128<byte> r = size switch
        {
            1 => Vector128.Abs(b.AsSByte()).AsByte(),
            2 => Vector128.Abs(b.AsInt16()).AsByte(),
            _ => Vector128.Abs(b.AsInt32()).AsByte(),
        };
        if (mmx)
            cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r.AsUInt64().ToScalar());
        else
            SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }
}
