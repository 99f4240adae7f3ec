using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// PSLL/PSRL/PSRA on words, doublewords and quadwords by an immediate or by
/// the low 64 bits of a register or memory operand (a count beyond the
/// element size clears the element, or fills it with its sign for PSRA),
/// and the whole-register byte shifts PSLLDQ/PSRLDQ (Intel SDM vol. 2).
/// </summary>
internal static class SseShiftOps
{
    private const int Left = 0, Right = 1, Arithmetic = 2;

    public static void Psllw(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Left, 16);
    public static void Pslld(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Left, 32);
    public static void Psllq(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Left, 64);
    public static void Psrlw(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Right, 16);
    public static void Psrld(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Right, 32);
    public static void Psrlq(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Right, 64);
    public static void Psraw(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Arithmetic, 16);
    public static void Psrad(X86Cpu cpu, ref DecodedOp op) => Shift(cpu, ref op, Arithmetic, 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Shift(X86Cpu cpu, ref DecodedOp op, int kind, int bits)
    {
        bool immediate = op.I.Op1Kind == OpKind.Immediate8;
        if (SseOperands.IsMmxForm(ref op))
        {
            SseOperands.CheckMmx(cpu);
            ulong count = immediate ? op.I.Immediate8 : SseOperands.Source64(cpu, ref op, 1);
            int m = SseOperands.Number(op.I.Op0Register);
            Vector128<byte> v = Vector128.CreateScalar(cpu.Fpu.ReadMmx(m)).AsByte();
            cpu.Fpu.WriteMmx(m, Apply(kind, bits, v, count).AsUInt64().ToScalar());
            return;
        }
        SseOperands.CheckSse(cpu);
        ulong n = immediate ? op.I.Immediate8 : SseOperands.Source128(cpu, ref op, 1, aligned: true).AsUInt64().ToScalar();
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        dst = Apply(kind, bits, dst, n);
    }

    private static Vector128<byte> Apply(int kind, int bits, Vector128<byte> v, ulong count)
    {
        if (count >= (ulong)bits)
        {
            if (kind != Arithmetic)
                return Vector128<byte>.Zero;
            count = (ulong)bits - 1;
        }
        int c = (int)count;
        return (kind, bits) switch
        {
            (Left, 16) => Vector128.ShiftLeft(v.AsUInt16(), c).AsByte(),
            (Left, 32) => Vector128.ShiftLeft(v.AsUInt32(), c).AsByte(),
            (Left, _) => Vector128.ShiftLeft(v.AsUInt64(), c).AsByte(),
            (Right, 16) => Vector128.ShiftRightLogical(v.AsUInt16(), c).AsByte(),
            (Right, 32) => Vector128.ShiftRightLogical(v.AsUInt32(), c).AsByte(),
            (Right, _) => Vector128.ShiftRightLogical(v.AsUInt64(), c).AsByte(),
            (_, 16) => Vector128.ShiftRightArithmetic(v.AsInt16(), c).AsByte(),
            _ => Vector128.ShiftRightArithmetic(v.AsInt32(), c).AsByte(),
        };
    }

    /// <summary>PSLLDQ: the register shifted left by imm8 bytes (16 or more: zero).</summary>
    public static void Pslldq(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        dst = ShiftBytes(dst, -(int)Math.Min(op.I.Immediate8, 16u));
    }

    /// <summary>PSRLDQ: the register shifted right by imm8 bytes.</summary>
    public static void Psrldq(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        dst = ShiftBytes(dst, (int)Math.Min(op.I.Immediate8, 16u));
    }

    /// <summary>Byte i of the result is byte i + <paramref name="offset"/> of <paramref name="v"/>, or zero outside it.</summary>
    public static Vector128<byte> ShiftBytes(Vector128<byte> v, int offset)
    {
        Vector128<byte> r = default;
        for (int i = 0; i < 16; i++)
        {
            int from = i + offset;
            if ((uint)from < 16)
                SseLanes.U8(ref r, i) = SseLanes.U8(ref v, from);
        }
        return r;
    }
}
