using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// Which handler executes an instruction, looked up once per decoded
/// instruction by its mnemonic. Anything not listed executes as #UD and is
/// counted (X86Cpu.UnimplementedInstructions), never failing the VMM.
/// </summary>
internal static unsafe class HandlerTable
{
    private static readonly delegate*<X86Cpu, ref DecodedOp, void>[] s_byMnemonic = Build();

    /// <summary>Runs the class constructor (the table is built once, by whichever thread comes first).</summary>
    public static int Prewarm() => s_byMnemonic.Length;

    public static delegate*<X86Cpu, ref DecodedOp, void> For(in Instruction instruction)
    {
        if (instruction.Code == Code.INVALID)
            return &MoveOps.InvalidOpcode;
        int m = (int)instruction.Mnemonic;
        return (uint)m < (uint)s_byMnemonic.Length ? s_byMnemonic[m] : &MoveOps.NotImplemented;
    }

    private static delegate*<X86Cpu, ref DecodedOp, void>[] Build()
    {
        // Sized by the mnemonics that have a handler (For checks the bounds):
        // enumerating Iced's Mnemonic values would cost milliseconds of
        // reflection at start-up under NativeAOT.
        var t = new delegate*<X86Cpu, ref DecodedOp, void>[1024];
        for (int i = 0; i < t.Length; i++)
            t[i] = &MoveOps.NotImplemented;

        void Set(Mnemonic m, delegate*<X86Cpu, ref DecodedOp, void> handler)
        {
            if ((int)m >= t.Length)
            {
                var bigger = new delegate*<X86Cpu, ref DecodedOp, void>[Math.Max(t.Length * 2, (int)m + 1)];
                for (int i = 0; i < bigger.Length; i++)
                    bigger[i] = i < t.Length ? t[i] : &MoveOps.NotImplemented;
                t = bigger;
            }
            t[(int)m] = handler;
        }

        Set(Mnemonic.Add, &AluOps.Add);
        Set(Mnemonic.Adc, &AluOps.Adc);
        Set(Mnemonic.Sub, &AluOps.Sub);
        Set(Mnemonic.Sbb, &AluOps.Sbb);
        Set(Mnemonic.Cmp, &AluOps.Cmp);
        Set(Mnemonic.And, &AluOps.And);
        Set(Mnemonic.Or, &AluOps.Or);
        Set(Mnemonic.Xor, &AluOps.Xor);
        Set(Mnemonic.Test, &AluOps.Test);
        Set(Mnemonic.Inc, &AluOps.Inc);
        Set(Mnemonic.Dec, &AluOps.Dec);
        Set(Mnemonic.Neg, &AluOps.Neg);
        Set(Mnemonic.Not, &AluOps.Not);

        Set(Mnemonic.Shl, &ShiftOps.Shl);
        Set(Mnemonic.Sal, &ShiftOps.Shl);
        Set(Mnemonic.Shr, &ShiftOps.Shr);
        Set(Mnemonic.Sar, &ShiftOps.Sar);
        Set(Mnemonic.Rol, &ShiftOps.Rol);
        Set(Mnemonic.Ror, &ShiftOps.Ror);
        Set(Mnemonic.Rcl, &ShiftOps.Rcl);
        Set(Mnemonic.Rcr, &ShiftOps.Rcr);
        Set(Mnemonic.Shld, &ShiftOps.Shld);
        Set(Mnemonic.Shrd, &ShiftOps.Shrd);

        Set(Mnemonic.Mul, &MulDivOps.Mul);
        Set(Mnemonic.Imul, &MulDivOps.Imul);
        Set(Mnemonic.Div, &MulDivOps.Div);
        Set(Mnemonic.Idiv, &MulDivOps.Idiv);

        Set(Mnemonic.Mov, &MoveOps.Mov);
        Set(Mnemonic.Movzx, &MoveOps.Movzx);
        Set(Mnemonic.Movsx, &MoveOps.Movsx);
        Set(Mnemonic.Movsxd, &MoveOps.Movsx);
        Set(Mnemonic.Lea, &MoveOps.Lea);
        Set(Mnemonic.Xchg, &MoveOps.Xchg);
        Set(Mnemonic.Cmpxchg, &MoveOps.Cmpxchg);
        Set(Mnemonic.Cmpxchg8b, &MoveOps.Cmpxchg8b);
        Set(Mnemonic.Cmpxchg16b, &MoveOps.Cmpxchg16b);
        Set(Mnemonic.Xadd, &MoveOps.Xadd);
        Set(Mnemonic.Bswap, &MoveOps.Bswap);
        Set(Mnemonic.Cbw, &MoveOps.Cbw);
        Set(Mnemonic.Cwde, &MoveOps.Cwde);
        Set(Mnemonic.Cdqe, &MoveOps.Cdqe);
        Set(Mnemonic.Cwd, &MoveOps.Cwd);
        Set(Mnemonic.Cdq, &MoveOps.Cdq);
        Set(Mnemonic.Cqo, &MoveOps.Cqo);
        foreach (Mnemonic m in new[] { Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne,
                     Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl,
                     Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg })
            Set(m, &MoveOps.Cmovcc);
        foreach (Mnemonic m in new[] { Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne,
                     Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl,
                     Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg })
            Set(m, &MoveOps.Setcc);
        foreach (Mnemonic m in new[] { Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne,
                     Mnemonic.Jbe, Mnemonic.Ja, Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl,
                     Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg })
            Set(m, &BranchOps.Jcc);
        Set(Mnemonic.Lahf, &MoveOps.Lahf);
        Set(Mnemonic.Sahf, &MoveOps.Sahf);
        Set(Mnemonic.Xlatb, &MoveOps.Xlatb);
        foreach (Mnemonic m in new[] { Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Mfence, Mnemonic.Sfence,
                     Mnemonic.Prefetch, Mnemonic.Prefetchw, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1,
                     Mnemonic.Prefetcht2, Mnemonic.Clflush, Mnemonic.Endbr64, Mnemonic.Endbr32 })
            Set(m, &MoveOps.Nop);
        Set(Mnemonic.Ud0, &MoveOps.InvalidOpcode);
        Set(Mnemonic.Ud1, &MoveOps.InvalidOpcode);
        Set(Mnemonic.Ud2, &MoveOps.InvalidOpcode);

        Set(Mnemonic.Push, &StackOps.Push);
        Set(Mnemonic.Pop, &StackOps.Pop);
        Set(Mnemonic.Pushf, &StackOps.Pushf);
        Set(Mnemonic.Pushfd, &StackOps.Pushf);
        Set(Mnemonic.Pushfq, &StackOps.Pushf);
        Set(Mnemonic.Popf, &StackOps.Popf);
        Set(Mnemonic.Popfd, &StackOps.Popf);
        Set(Mnemonic.Popfq, &StackOps.Popf);
        Set(Mnemonic.Pusha, &StackOps.Pusha);
        Set(Mnemonic.Pushad, &StackOps.Pusha);
        Set(Mnemonic.Popa, &StackOps.Popa);
        Set(Mnemonic.Popad, &StackOps.Popa);
        Set(Mnemonic.Enter, &StackOps.Enter);
        Set(Mnemonic.Leave, &StackOps.Leave);

        Set(Mnemonic.Jmp, &BranchOps.Jmp);
        Set(Mnemonic.Call, &BranchOps.Call);
        Set(Mnemonic.Ret, &BranchOps.Ret);
        Set(Mnemonic.Retf, &BranchOps.Retf);
        Set(Mnemonic.Loop, &BranchOps.Loop);
        Set(Mnemonic.Loope, &BranchOps.Loop);
        Set(Mnemonic.Loopne, &BranchOps.Loop);
        Set(Mnemonic.Jcxz, &BranchOps.Jcxz);
        Set(Mnemonic.Jecxz, &BranchOps.Jcxz);
        Set(Mnemonic.Jrcxz, &BranchOps.Jcxz);
        Set(Mnemonic.Int, &BranchOps.Int);
        Set(Mnemonic.Int3, &BranchOps.Int3);
        Set(Mnemonic.Into, &BranchOps.Into);
        Set(Mnemonic.Int1, &BranchOps.Int1);
        Set(Mnemonic.Iret, &BranchOps.Iret);
        Set(Mnemonic.Iretd, &BranchOps.Iret);
        Set(Mnemonic.Iretq, &BranchOps.Iret);

        Set(Mnemonic.Movsb, &StringOps.Movs);
        Set(Mnemonic.Movsw, &StringOps.Movs);
        Set(Mnemonic.Movsd, &StringOps.Movs);
        Set(Mnemonic.Movsq, &StringOps.Movs);
        Set(Mnemonic.Stosb, &StringOps.Stos);
        Set(Mnemonic.Stosw, &StringOps.Stos);
        Set(Mnemonic.Stosd, &StringOps.Stos);
        Set(Mnemonic.Stosq, &StringOps.Stos);
        Set(Mnemonic.Lodsb, &StringOps.Lods);
        Set(Mnemonic.Lodsw, &StringOps.Lods);
        Set(Mnemonic.Lodsd, &StringOps.Lods);
        Set(Mnemonic.Lodsq, &StringOps.Lods);
        Set(Mnemonic.Scasb, &StringOps.Scas);
        Set(Mnemonic.Scasw, &StringOps.Scas);
        Set(Mnemonic.Scasd, &StringOps.Scas);
        Set(Mnemonic.Scasq, &StringOps.Scas);
        Set(Mnemonic.Cmpsb, &StringOps.Cmps);
        Set(Mnemonic.Cmpsw, &StringOps.Cmps);
        Set(Mnemonic.Cmpsd, &StringOps.Cmps);
        Set(Mnemonic.Cmpsq, &StringOps.Cmps);
        Set(Mnemonic.Insb, &StringOps.Ins);
        Set(Mnemonic.Insw, &StringOps.Ins);
        Set(Mnemonic.Insd, &StringOps.Ins);
        Set(Mnemonic.Outsb, &StringOps.Outs);
        Set(Mnemonic.Outsw, &StringOps.Outs);
        Set(Mnemonic.Outsd, &StringOps.Outs);
        Set(Mnemonic.In, &IoOps.In);
        Set(Mnemonic.Out, &IoOps.Out);

        Set(Mnemonic.Bt, &BitOps.Bt);
        Set(Mnemonic.Bts, &BitOps.Bts);
        Set(Mnemonic.Btr, &BitOps.Btr);
        Set(Mnemonic.Btc, &BitOps.Btc);
        Set(Mnemonic.Bsf, &BitOps.Bsf);
        Set(Mnemonic.Bsr, &BitOps.Bsr);
        // F3 0F BC is TZCNT only on processors with BMI1 (CPUID.(EAX=07H,ECX=0):EBX[3]); without it the F3
        // encoding executes as BSF (SDM TZCNT, "Description"). BMI1 is not advertised, so it is BSF here.
        Set(Mnemonic.Tzcnt, &BitOps.Bsf);
        Set(Mnemonic.Lzcnt, &BitOps.Lzcnt);
        Set(Mnemonic.Popcnt, &BitOps.Popcnt);

        Set(Mnemonic.Clc, &FlagOps.Clc);
        Set(Mnemonic.Stc, &FlagOps.Stc);
        Set(Mnemonic.Cmc, &FlagOps.Cmc);
        Set(Mnemonic.Cld, &FlagOps.Cld);
        Set(Mnemonic.Std, &FlagOps.Std);
        Set(Mnemonic.Cli, &FlagOps.Cli);
        Set(Mnemonic.Sti, &FlagOps.Sti);

        Set(Mnemonic.Daa, &BcdOps.Daa);
        Set(Mnemonic.Das, &BcdOps.Das);
        Set(Mnemonic.Aaa, &BcdOps.Aaa);
        Set(Mnemonic.Aas, &BcdOps.Aas);
        Set(Mnemonic.Aam, &BcdOps.Aam);
        Set(Mnemonic.Aad, &BcdOps.Aad);

        Set(Mnemonic.Lmsw, &SystemOps.Lmsw);
        Set(Mnemonic.Smsw, &SystemOps.Smsw);
        Set(Mnemonic.Clts, &SystemOps.Clts);
        Set(Mnemonic.Lgdt, &SystemOps.Lgdt);
        Set(Mnemonic.Lidt, &SystemOps.Lidt);
        Set(Mnemonic.Sgdt, &SystemOps.Sgdt);
        Set(Mnemonic.Sidt, &SystemOps.Sidt);
        Set(Mnemonic.Lldt, &SystemOps.Lldt);
        Set(Mnemonic.Ltr, &SystemOps.Ltr);
        Set(Mnemonic.Sldt, &SystemOps.Sldt);
        Set(Mnemonic.Str, &SystemOps.Str);
        Set(Mnemonic.Invlpg, &SystemOps.Invlpg);
        Set(Mnemonic.Wbinvd, &SystemOps.Wbinvd);
        Set(Mnemonic.Invd, &SystemOps.Wbinvd);
        Set(Mnemonic.Hlt, &SystemOps.Hlt);
        Set(Mnemonic.Cpuid, &SystemOps.Cpuid);
        Set(Mnemonic.Rdtsc, &SystemOps.Rdtsc);
        Set(Mnemonic.Rdtscp, &SystemOps.Rdtscp);
        Set(Mnemonic.Rdmsr, &SystemOps.Rdmsr);
        Set(Mnemonic.Wrmsr, &SystemOps.Wrmsr);
        Set(Mnemonic.Swapgs, &SystemOps.Swapgs);
        Set(Mnemonic.Syscall, &SystemOps.Syscall);
        Set(Mnemonic.Sysret, &SystemOps.Sysret);
        Set(Mnemonic.Sysretq, &SystemOps.Sysret);
        Set(Mnemonic.Sysenter, &SystemOps.Sysenter);
        Set(Mnemonic.Sysexit, &SystemOps.Sysexit);
        Set(Mnemonic.Sysexitq, &SystemOps.Sysexit);
        Set(Mnemonic.Lar, &SystemOps.Lar);
        Set(Mnemonic.Lsl, &SystemOps.Lsl);
        Set(Mnemonic.Verr, &SystemOps.Verr);
        Set(Mnemonic.Verw, &SystemOps.Verw);
        Set(Mnemonic.Lds, &SystemOps.Lds);
        Set(Mnemonic.Les, &SystemOps.Les);
        Set(Mnemonic.Lfs, &SystemOps.Lfs);
        Set(Mnemonic.Lgs, &SystemOps.Lgs);
        Set(Mnemonic.Lss, &SystemOps.Lss);
        Set(Mnemonic.Arpl, &SystemOps.Arpl);
        SimdHandlers.Register(t);
        return t;
    }
}
