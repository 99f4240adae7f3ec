using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSSE3's horizontal additions and subtractions (Intel SDM vol. 2):
/// PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW on MMX and XMM registers: adjacent
/// pairs of the destination, then of the source. The other SSSE3
/// instructions share the element-wise and shuffle handlers.
/// </summary>
internal static class Ssse3Ops
{
    public static void Phaddw(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 2, subtract: false, saturate: false);
    public static void Phaddd(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 4, subtract: false, saturate: false);
    public static void Phaddsw(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 2, subtract: false, saturate: true);
    public static void Phsubw(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 2, subtract: true, saturate: false);
    public static void Phsubd(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 4, subtract: true, saturate: false);
    public static void Phsubsw(X86Cpu cpu, ref DecodedOp op) => Horizontal(cpu, ref op, 2, subtract: true, saturate: true);

    private static void Horizontal(X86Cpu cpu, ref DecodedOp op, int size, bool subtract, bool saturate)
    {
        bool mmx = SseOperands.IsMmxForm(ref op);
        Vector128<byte> a, b;
        if (mmx)
        {
            SseOperands.CheckMmx(cpu);
            a = Vector128.CreateScalar(cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op0Register))).AsByte();
            b = Vector128.CreateScalar(SseOperands.Source64(cpu, ref op, 1)).AsByte();
        }
        else
        {
            SseOperands.CheckSse(cpu);
            b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
            a = SseOperands.Xmm(cpu, op.I.Op0Register);
        }
        int pairs = (mmx ? 8 : 16) / size / 2; // per operand
        Vector128<byte> r = default;
        for (int i = 0; i < 2 * pairs; i++)
        {
            ref Vector128<byte> from = ref i < pairs ? ref a : ref b;
            int k = 2 * (i < pairs ? i : i - pairs);
            if (size == 2)
            {
                int x = SseLanes.S16(ref from, k), y = SseLanes.S16(ref from, k + 1);
                int v = subtract ? x - y : x + y;
                SseLanes.S16(ref r, i) = saturate ? (short)Math.Clamp(v, short.MinValue, short.MaxValue) : (short)v;
            }
            else
            {
                uint x = SseLanes.U32(ref from, k), y = SseLanes.U32(ref from, k + 1);
                SseLanes.U32(ref r, i) = subtract ? x - y : x + y;
            }
        }
        if (mmx)
            cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r.AsUInt64().ToScalar());
        else
            SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }
}
