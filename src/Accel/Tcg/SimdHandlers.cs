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

        // --- SSE/SSE2 floating point ---
        Set(Mnemonic.Addps, &SseFloatOps.Addps);
        Set(Mnemonic.Addpd, &SseFloatOps.Addpd);
        Set(Mnemonic.Addss, &SseFloatOps.Addss);
        Set(Mnemonic.Addsd, &SseFloatOps.Addsd);
        Set(Mnemonic.Subps, &SseFloatOps.Subps);
        Set(Mnemonic.Subpd, &SseFloatOps.Subpd);
        Set(Mnemonic.Subss, &SseFloatOps.Subss);
        Set(Mnemonic.Subsd, &SseFloatOps.Subsd);
        Set(Mnemonic.Mulps, &SseFloatOps.Mulps);
        Set(Mnemonic.Mulpd, &SseFloatOps.Mulpd);
        Set(Mnemonic.Mulss, &SseFloatOps.Mulss);
        Set(Mnemonic.Mulsd, &SseFloatOps.Mulsd);
        Set(Mnemonic.Divps, &SseFloatOps.Divps);
        Set(Mnemonic.Divpd, &SseFloatOps.Divpd);
        Set(Mnemonic.Divss, &SseFloatOps.Divss);
        Set(Mnemonic.Divsd, &SseFloatOps.Divsd);
        Set(Mnemonic.Minps, &SseFloatOps.Minps);
        Set(Mnemonic.Minpd, &SseFloatOps.Minpd);
        Set(Mnemonic.Minss, &SseFloatOps.Minss);
        Set(Mnemonic.Minsd, &SseFloatOps.Minsd);
        Set(Mnemonic.Maxps, &SseFloatOps.Maxps);
        Set(Mnemonic.Maxpd, &SseFloatOps.Maxpd);
        Set(Mnemonic.Maxss, &SseFloatOps.Maxss);
        Set(Mnemonic.Maxsd, &SseFloatOps.Maxsd);
        Set(Mnemonic.Sqrtps, &SseFloatOps.Sqrtps);
        Set(Mnemonic.Sqrtpd, &SseFloatOps.Sqrtpd);
        Set(Mnemonic.Sqrtss, &SseFloatOps.Sqrtss);
        Set(Mnemonic.Sqrtsd, &SseFloatOps.Sqrtsd);
        Set(Mnemonic.Rcpps, &SseFloatOps.Rcpps);
        Set(Mnemonic.Rcpss, &SseFloatOps.Rcpss);
        Set(Mnemonic.Rsqrtps, &SseFloatOps.Rsqrtps);
        Set(Mnemonic.Rsqrtss, &SseFloatOps.Rsqrtss);
        Set(Mnemonic.Cmpps, &SseFloatOps.Cmpps);
        Set(Mnemonic.Cmppd, &SseFloatOps.Cmppd);
        Set(Mnemonic.Cmpss, &SseFloatOps.Cmpss);
        Set(Mnemonic.Cmpsd, &SseFloatOps.Cmpsd);
        Set(Mnemonic.Comiss, &SseFloatOps.Comiss);
        Set(Mnemonic.Comisd, &SseFloatOps.Comisd);
        Set(Mnemonic.Ucomiss, &SseFloatOps.Ucomiss);
        Set(Mnemonic.Ucomisd, &SseFloatOps.Ucomisd);

        Set(Mnemonic.Cvtsi2ss, &SseConvertOps.Cvtsi2ss);
        Set(Mnemonic.Cvtsi2sd, &SseConvertOps.Cvtsi2sd);
        Set(Mnemonic.Cvtdq2ps, &SseConvertOps.Cvtdq2ps);
        Set(Mnemonic.Cvtdq2pd, &SseConvertOps.Cvtdq2pd);
        Set(Mnemonic.Cvtpi2ps, &SseConvertOps.Cvtpi2ps);
        Set(Mnemonic.Cvtpi2pd, &SseConvertOps.Cvtpi2pd);
        Set(Mnemonic.Cvtss2si, &SseConvertOps.Cvtss2si);
        Set(Mnemonic.Cvttss2si, &SseConvertOps.Cvttss2si);
        Set(Mnemonic.Cvtsd2si, &SseConvertOps.Cvtsd2si);
        Set(Mnemonic.Cvttsd2si, &SseConvertOps.Cvttsd2si);
        Set(Mnemonic.Cvtps2dq, &SseConvertOps.Cvtps2dq);
        Set(Mnemonic.Cvttps2dq, &SseConvertOps.Cvttps2dq);
        Set(Mnemonic.Cvtpd2dq, &SseConvertOps.Cvtpd2dq);
        Set(Mnemonic.Cvttpd2dq, &SseConvertOps.Cvttpd2dq);
        Set(Mnemonic.Cvtps2pi, &SseConvertOps.Cvtps2pi);
        Set(Mnemonic.Cvttps2pi, &SseConvertOps.Cvttps2pi);
        Set(Mnemonic.Cvtpd2pi, &SseConvertOps.Cvtpd2pi);
        Set(Mnemonic.Cvttpd2pi, &SseConvertOps.Cvttpd2pi);
        Set(Mnemonic.Cvtss2sd, &SseConvertOps.Cvtss2sd);
        Set(Mnemonic.Cvtsd2ss, &SseConvertOps.Cvtsd2ss);
        Set(Mnemonic.Cvtps2pd, &SseConvertOps.Cvtps2pd);
        Set(Mnemonic.Cvtpd2ps, &SseConvertOps.Cvtpd2ps);
    }
}
