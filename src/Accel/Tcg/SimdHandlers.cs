using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// The x87, MMX and SSE instructions' entries in the handler table (the
/// general-purpose ones are in <see cref="HandlerTable"/>).
/// </summary>
internal static unsafe class SimdHandlers
{
    public static void Register(delegate*<X86Cpu, ref DecodedOp, void>[] table)
    {
        void Set(Mnemonic m, delegate*<X86Cpu, ref DecodedOp, void> handler) => table[(int)m] = handler;

        // --- SSE/SSE2 state and moves ---
        Set(Mnemonic.Ldmxcsr, &SseStateOps.Ldmxcsr);
        Set(Mnemonic.Stmxcsr, &SseStateOps.Stmxcsr);
        Set(Mnemonic.Fxsave, &SseStateOps.Fxsave);
        Set(Mnemonic.Fxsave64, &SseStateOps.Fxsave);
        Set(Mnemonic.Fxrstor, &SseStateOps.Fxrstor);
        Set(Mnemonic.Fxrstor64, &SseStateOps.Fxrstor);

        Set(Mnemonic.Movaps, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movapd, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movdqa, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movntps, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movntpd, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movntdq, &SseMoveOps.MoveAligned);
        Set(Mnemonic.Movups, &SseMoveOps.MoveUnaligned);
        Set(Mnemonic.Movupd, &SseMoveOps.MoveUnaligned);
        Set(Mnemonic.Movdqu, &SseMoveOps.MoveUnaligned);
        Set(Mnemonic.Movss, &SseMoveOps.Movss);
        Set(Mnemonic.Movsd, &SseMoveOps.Movsd);
        Set(Mnemonic.Movd, &SseMoveOps.MovdMovq);
        Set(Mnemonic.Movq, &SseMoveOps.MovdMovq);
        Set(Mnemonic.Movlps, &SseMoveOps.MoveLow);
        Set(Mnemonic.Movlpd, &SseMoveOps.MoveLow);
        Set(Mnemonic.Movhlps, &SseMoveOps.MoveLow);
        Set(Mnemonic.Movhps, &SseMoveOps.MoveHigh);
        Set(Mnemonic.Movhpd, &SseMoveOps.MoveHigh);
        Set(Mnemonic.Movlhps, &SseMoveOps.MoveHigh);
        Set(Mnemonic.Movnti, &SseMoveOps.Movnti);
        Set(Mnemonic.Movntq, &SseMoveOps.Movntq);
        Set(Mnemonic.Movmskps, &SseMoveOps.Movmskps);
        Set(Mnemonic.Movmskpd, &SseMoveOps.Movmskpd);
        Set(Mnemonic.Pmovmskb, &SseMoveOps.Pmovmskb);
        Set(Mnemonic.Maskmovdqu, &SseMoveOps.MaskedMove);
        Set(Mnemonic.Maskmovq, &SseMoveOps.MaskedMove);
        Set(Mnemonic.Movq2dq, &SseMoveOps.Movq2dq);
        Set(Mnemonic.Movdq2q, &SseMoveOps.Movdq2q);
    }
}
