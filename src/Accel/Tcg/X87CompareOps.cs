using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// x87 comparisons (Intel SDM vol. 2): FCOM/FCOMP/FCOMPP and FICOM/FICOMP
/// (any NaN is invalid), FUCOM/FUCOMP/FUCOMPP (only an SNaN is), which set
/// C3, C2, C0 = 000 greater, 001 less, 100 equal, 111 unordered;
/// FCOMI/FCOMIP/FUCOMI/FUCOMIP, which set ZF, PF, CF the same way in
/// EFLAGS; FTST (against +0.0) and FXAM (classifies ST(0)).
/// </summary>
internal static class X87CompareOps
{
    public static void Fcom(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: true, pops: 0);
    public static void Fcomp(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: true, pops: 1);
    public static void Fcompp(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: true, pops: 2);
    public static void Fucom(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: false, pops: 0);
    public static void Fucomp(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: false, pops: 1);
    public static void Fucompp(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, ordered: false, pops: 2);

    private const int ConditionMask = FpuState.C0 | FpuState.C1 | FpuState.C2 | FpuState.C3;

    private static void Compare(X86Cpu cpu, ref DecodedOp op, bool ordered, int pops)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int other = 1;
        FloatParts b = default;
        bool memory = op.I.OpCount > 0 && op.I.Op0Kind == OpKind.Memory;
        if (memory)
            b = X87Unit.LoadOperand(cpu, ref op);
        else if (op.I.OpCount > 1)
            other = X87Unit.StIndex(ref op, 1);
        int order;
        bool pop;
        if (f.IsEmpty(0) || (!memory && f.IsEmpty(other)))
        {
            pop = X87Unit.StackUnderflow(cpu);
            order = SoftFloat.Unordered;
        }
        else
        {
            if (!memory)
                b = X87Unit.Unpack(f.Read(other));
            FloatEnv env = X87Unit.Env(f);
            order = SoftFloat.Compare(ref env, X87Unit.Unpack(f.Read(0)), b, ordered);
            pop = X87Unit.Finish(cpu, ref env, setC1: false);
        }
        // A comparison has no destination: the condition codes are set even when the exception is unmasked;
        // the stack is then left as it was.
        f.SetConditionCodes(ConditionMask, ConditionCodes(order));
        if (pop)
        {
            for (int i = 0; i < pops; i++)
                f.Pop();
        }
    }

    public static int ConditionCodes(int order) => order switch
    {
        SoftFloat.Greater => 0,
        SoftFloat.Less => FpuState.C0,
        SoftFloat.Equal => FpuState.C3,
        _ => FpuState.C3 | FpuState.C2 | FpuState.C0,
    };

    public static void Fcomi(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, ordered: true, pop: false);
    public static void Fcomip(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, ordered: true, pop: true);
    public static void Fucomi(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, ordered: false, pop: false);
    public static void Fucomip(X86Cpu cpu, ref DecodedOp op) => CompareToFlags(cpu, ref op, ordered: false, pop: true);

    private static void CompareToFlags(X86Cpu cpu, ref DecodedOp op, bool ordered, bool pop)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int other = X87Unit.StIndex(ref op, 1);
        int order;
        bool popAllowed;
        if (f.IsEmpty(0) || f.IsEmpty(other))
        {
            popAllowed = X87Unit.StackUnderflow(cpu);
            order = SoftFloat.Unordered;
        }
        else
        {
            FloatEnv env = X87Unit.Env(f);
            order = SoftFloat.Compare(ref env, X87Unit.Unpack(f.Read(0)), X87Unit.Unpack(f.Read(other)), ordered);
            popAllowed = X87Unit.Finish(cpu, ref env, setC1: false);
            f.StatusWord &= unchecked((ushort)~FpuState.C1); // SDM: C1 cleared (the AMD reference host leaves it)
        }
        // As for FCOM, the result is delivered even when the exception is unmasked, and the stack is then not popped.
        cpu.SetArithmeticFlags(SseFloatOps.OrderFlags(order));
        if (pop && popAllowed)
            f.Pop();
    }

    /// <summary>FTST: ST(0) compared with +0.0.</summary>
    public static void Ftst(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        int order;
        if (f.IsEmpty(0))
        {
            if (!X87Unit.StackUnderflow(cpu))
                return;
            order = SoftFloat.Unordered;
        }
        else
        {
            FloatEnv env = X87Unit.Env(f);
            order = SoftFloat.Compare(ref env, X87Unit.Unpack(f.Read(0)), FloatParts.Zero(false), signalOnQuiet: true);
            if (!X87Unit.Finish(cpu, ref env, setC1: false))
                return;
        }
        f.SetConditionCodes(ConditionMask, ConditionCodes(order));
    }

    /// <summary>
    /// FXAM: C3, C2, C0 classify ST(0) (000 unsupported, 001 NaN, 010 normal,
    /// 011 infinity, 100 zero, 101 empty, 110 denormal) and C1 is its sign.
    /// </summary>
    public static void Fxam(X86Cpu cpu, ref DecodedOp op)
    {
        FpuState f = X87Unit.Begin(cpu, ref op);
        Float80 v = f.Read(0);
        int codes = v.Sign ? FpuState.C1 : 0;
        if (f.IsEmpty(0))
        {
            codes |= FpuState.C3 | FpuState.C0;
        }
        else
        {
            FloatParts p = X87Unit.Unpack(v);
            codes |= p.Class switch
            {
                FloatClass.QuietNaN or FloatClass.SignalingNaN => FpuState.C0,
                FloatClass.Infinity => FpuState.C2 | FpuState.C0,
                FloatClass.Zero => FpuState.C3,
                FloatClass.Finite => p.Denormal ? FpuState.C3 | FpuState.C2 : FpuState.C2,
                _ => 0,
            };
        }
        f.SetConditionCodes(ConditionMask, codes);
    }
}
