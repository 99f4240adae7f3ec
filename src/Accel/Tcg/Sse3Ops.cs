using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>
/// SSE3 (Intel SDM vol. 2): ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD (each element
/// one IEEE operation through <see cref="SoftFloat"/>), MOVSHDUP, MOVSLDUP,
/// MOVDDUP. LDDQU is an unaligned load (<see cref="SseMoveOps"/>) and
/// FISTTP is with the x87 stores.
/// </summary>
internal static class Sse3Ops
{
    private const int AddSub = 0, HorizontalAdd = 1, HorizontalSub = 2;

    public static void Addsubps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, AddSub, isDouble: false);
    public static void Addsubpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, AddSub, isDouble: true);
    public static void Haddps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, HorizontalAdd, isDouble: false);
    public static void Haddpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, HorizontalAdd, isDouble: true);
    public static void Hsubps(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, HorizontalSub, isDouble: false);
    public static void Hsubpd(X86Cpu cpu, ref DecodedOp op) => Packed(cpu, ref op, HorizontalSub, isDouble: true);

    private static void Packed(X86Cpu cpu, ref DecodedOp op, int kind, bool isDouble)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> a = dst, r = default;
        FloatEnv env = FloatEnv.FromMxcsr(cpu.Fpu.Mxcsr);
        if (isDouble)
        {
            if (kind == AddSub)
            {
                SseLanes.U64(ref r, 0) = SseFloatOps.Double(SseFloatOps.Sub, ref env, SseLanes.U64(ref a, 0), SseLanes.U64(ref b, 0));
                SseLanes.U64(ref r, 1) = SseFloatOps.Double(SseFloatOps.Add, ref env, SseLanes.U64(ref a, 1), SseLanes.U64(ref b, 1));
            }
            else
            {
                int f = kind == HorizontalAdd ? SseFloatOps.Add : SseFloatOps.Sub;
                SseLanes.U64(ref r, 0) = SseFloatOps.Double(f, ref env, SseLanes.U64(ref a, 0), SseLanes.U64(ref a, 1));
                SseLanes.U64(ref r, 1) = SseFloatOps.Double(f, ref env, SseLanes.U64(ref b, 0), SseLanes.U64(ref b, 1));
            }
        }
        else if (kind == AddSub)
        {
            for (int i = 0; i < 4; i++)
                SseLanes.U32(ref r, i) = SseFloatOps.Single((i & 1) == 0 ? SseFloatOps.Sub : SseFloatOps.Add, ref env, SseLanes.U32(ref a, i), SseLanes.U32(ref b, i));
        }
        else
        {
            int f = kind == HorizontalAdd ? SseFloatOps.Add : SseFloatOps.Sub;
            SseLanes.U32(ref r, 0) = SseFloatOps.Single(f, ref env, SseLanes.U32(ref a, 0), SseLanes.U32(ref a, 1));
            SseLanes.U32(ref r, 1) = SseFloatOps.Single(f, ref env, SseLanes.U32(ref a, 2), SseLanes.U32(ref a, 3));
            SseLanes.U32(ref r, 2) = SseFloatOps.Single(f, ref env, SseLanes.U32(ref b, 0), SseLanes.U32(ref b, 1));
            SseLanes.U32(ref r, 3) = SseFloatOps.Single(f, ref env, SseLanes.U32(ref b, 2), SseLanes.U32(ref b, 3));
        }
        SseOperands.CommitFlags(cpu, ref env);
        dst = r;
    }

    /// <summary>MOVSHDUP: the odd singles duplicated.</summary>
    public static void Movshdup(X86Cpu cpu, ref DecodedOp op) => Duplicate(cpu, ref op, 1);

    /// <summary>MOVSLDUP: the even singles duplicated.</summary>
    public static void Movsldup(X86Cpu cpu, ref DecodedOp op) => Duplicate(cpu, ref op, 0);

    private static void Duplicate(X86Cpu cpu, ref DecodedOp op, int odd)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = SseLanes.U32(ref b, (i & ~1) | odd);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>MOVDDUP xmm, xmm/m64: the low double in both halves.</summary>
    public static void Movddup(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        ulong b = SseOperands.Source64(cpu, ref op, 1);
        int d = SseOperands.Number(op.I.Op0Register);
        cpu.Fpu.XmmLow(d) = b;
        cpu.Fpu.XmmHigh(d) = b;
    }
}
