using System.Runtime.Intrinsics.X86;
using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

// Guest instructions compiled as themselves. The whitelist holds integer
// instructions whose only effects are on their operands, the arithmetic
// flags and a few implicit registers (RAX, RDX, CL) that the compiler puts
// in the same host registers; nothing on it can fault on the host once its
// memory operand is a translated host address (DIV, which can, is not on it).
internal sealed partial class BlockCompiler
{
    private const RflagsBits Arithmetic = RflagsBits.OF | RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.CF | RflagsBits.PF;

    // Guest registers an instruction uses without naming them, bound to the same host register around it.
    [Flags]
    private enum Implicit
    {
        None = 0,
        RaxIn = 1,
        RaxOut = 2,
        RdxIn = 4,
        RdxOut = 8,
        RcxIn = 16,
    }

    private static bool IsGenericMnemonic(Mnemonic m) => m switch
    {
        Mnemonic.Add or Mnemonic.Or or Mnemonic.Adc or Mnemonic.Sbb or Mnemonic.And or Mnemonic.Sub or Mnemonic.Xor or Mnemonic.Cmp
            or Mnemonic.Test or Mnemonic.Inc or Mnemonic.Dec or Mnemonic.Neg or Mnemonic.Not => true,
        Mnemonic.Mov or Mnemonic.Movzx or Mnemonic.Movsx or Mnemonic.Movsxd or Mnemonic.Lea or Mnemonic.Xchg or Mnemonic.Xadd
            or Mnemonic.Cmpxchg or Mnemonic.Bswap => true,
        Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr
            or Mnemonic.Shld or Mnemonic.Shrd => true,
        Mnemonic.Imul or Mnemonic.Mul => true,
        Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc or Mnemonic.Bsf or Mnemonic.Bsr => true,
        // F3 0F BC: the guest's CPU model has no BMI1, so it is BSF there (the interpreter's
        // handler), whatever the host would make of the same bytes.
        Mnemonic.Tzcnt => false,
        Mnemonic.Lzcnt => Lzcnt.IsSupported,
        Mnemonic.Popcnt => Popcnt.IsSupported,
        Mnemonic.Cbw or Mnemonic.Cwde or Mnemonic.Cdqe or Mnemonic.Cwd or Mnemonic.Cdq or Mnemonic.Cqo => true,
        Mnemonic.Clc or Mnemonic.Stc or Mnemonic.Cmc => true,
        Mnemonic.Pause or Mnemonic.Lfence or Mnemonic.Mfence or Mnemonic.Sfence => true,
        Mnemonic.Cmovo or Mnemonic.Cmovno or Mnemonic.Cmovb or Mnemonic.Cmovae or Mnemonic.Cmove or Mnemonic.Cmovne or Mnemonic.Cmovbe
            or Mnemonic.Cmova or Mnemonic.Cmovs or Mnemonic.Cmovns or Mnemonic.Cmovp or Mnemonic.Cmovnp or Mnemonic.Cmovl or Mnemonic.Cmovge
            or Mnemonic.Cmovle or Mnemonic.Cmovg => true,
        Mnemonic.Seto or Mnemonic.Setno or Mnemonic.Setb or Mnemonic.Setae or Mnemonic.Sete or Mnemonic.Setne or Mnemonic.Setbe
            or Mnemonic.Seta or Mnemonic.Sets or Mnemonic.Setns or Mnemonic.Setp or Mnemonic.Setnp or Mnemonic.Setl or Mnemonic.Setge
            or Mnemonic.Setle or Mnemonic.Setg => true,
        _ => false,
    };

    // LOCK is valid only on these, with a memory destination; anything else is #UD, which the interpreter raises.
    private static bool IsLockable(Mnemonic m) => m is Mnemonic.Add or Mnemonic.Adc or Mnemonic.And or Mnemonic.Btc or Mnemonic.Btr
        or Mnemonic.Bts or Mnemonic.Cmpxchg or Mnemonic.Dec or Mnemonic.Inc or Mnemonic.Neg or Mnemonic.Not or Mnemonic.Or
        or Mnemonic.Sbb or Mnemonic.Sub or Mnemonic.Xadd or Mnemonic.Xchg or Mnemonic.Xor;

    private static bool IsShift(Mnemonic m) => m is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol
        or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr or Mnemonic.Shld or Mnemonic.Shrd;

    private static Implicit ImplicitOf(in Instruction i) => i.Mnemonic switch
    {
        Mnemonic.Mul => Implicit.RaxIn | Implicit.RaxOut | Implicit.RdxIn | Implicit.RdxOut,
        Mnemonic.Imul when i.OpCount == 1 => Implicit.RaxIn | Implicit.RaxOut | Implicit.RdxIn | Implicit.RdxOut,
        Mnemonic.Cbw or Mnemonic.Cwde or Mnemonic.Cdqe => Implicit.RaxIn | Implicit.RaxOut,
        Mnemonic.Cwd or Mnemonic.Cdq or Mnemonic.Cqo => Implicit.RaxIn | Implicit.RdxIn | Implicit.RdxOut,
        Mnemonic.Cmpxchg => Implicit.RaxIn | Implicit.RaxOut,
        _ => Implicit.None,
    };

    /// <summary>Whether the instruction can be compiled as itself (checked once, when the block is planned).</summary>
    private bool CanCompileGeneric(ref DecodedOp op)
    {
        ref Instruction i = ref op.I;
        Mnemonic m = i.Mnemonic;
        if (!IsGenericMnemonic(m))
            return false;
        int memory = MemoryOperandIndex(in i);
        if (i.HasLockPrefix && (!IsLockable(m) || memory != 0))
            return false;
        // BT* with a register bit offset can reach outside the addressed operand: the interpreter does those.
        if (m is Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc && memory == 0 && i.Op1Kind == OpKind.Register)
            return false;
        // CMPXCHG into RAX itself: the implicit and the explicit operand would be two copies of one register.
        if (m == Mnemonic.Cmpxchg && i.Op0Kind == OpKind.Register && RegisterInfo.Number(i.Op0Register) == 0)
            return false;
        Instruction h = i;
        return Rewrite(ref h, probe: true) && _e.CanEncode(in h);
    }

    private static int MemoryOperandIndex(in Instruction i)
    {
        for (int n = 0; n < i.OpCount; n++)
        {
            if (i.GetOpKind(n) == OpKind.Memory)
                return n;
        }
        return -1;
    }

    /// <summary>
    /// Turns the guest instruction into the host one: the general form of the
    /// opcode, host registers for guest registers and [RSI] for the memory
    /// operand. With <paramref name="probe"/> any home will do (only whether it
    /// encodes is asked); otherwise the homes are allocated and loaded as the
    /// operands' use requires and the written ones marked dirty.
    /// </summary>
    private bool Rewrite(ref Instruction h, bool probe)
    {
        Code general = AccumulatorForms.General(h.Code);
        if (general != h.Code)
            h.Code = general;
        OpCodeInfo form = general.ToOpCode();
        InstructionInfo info = probe ? default : _info.GetInfo(in h);
        // A register named twice (MOVZX ECX, CL) is loaded if any of its operands needs the value,
        // whichever operand is allocated first.
        int mustLoad = 0;
        for (int n = 0; !probe && n < h.OpCount; n++)
        {
            if (h.GetOpKind(n) == OpKind.Register && RegisterInfo.Kind(h.GetOpRegister(n)) == RegisterKind.Gpr
                && NeedsLoad(h.Mnemonic, info.GetOpAccess(n), RegisterInfo.Size(h.GetOpRegister(n))))
                mustLoad |= 1 << RegisterInfo.Number(h.GetOpRegister(n));
        }
        for (int n = 0; n < h.OpCount; n++)
        {
            switch (h.GetOpKind(n))
            {
                case OpKind.Register:
                {
                    Register r = h.GetOpRegister(n);
                    if (form.GetOpKind(n) == OpCodeOperandKind.cl)
                        continue; // a shift count in CL: the compiler puts the guest's CL there
                    if (RegisterInfo.Kind(r) != RegisterKind.Gpr || RegisterInfo.IsHigh8(r))
                        return false;
                    int size = RegisterInfo.Size(r);
                    if (probe)
                    {
                        h.SetOpRegister(n, HomeRegister(n, size));
                        continue;
                    }
                    OpAccess access = info.GetOpAccess(n);
                    int guest = RegisterInfo.Number(r);
                    h.SetOpRegister(n, HomeRegister(Home(guest, load: (mustLoad & (1 << guest)) != 0), size));
                    if (access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                        MarkDirty(guest);
                    break;
                }
                case OpKind.Memory:
                    h.MemoryBase = Register.RSI;
                    h.MemoryIndex = Register.None;
                    h.MemoryIndexScale = 1;
                    h.MemoryDisplacement64 = 0;
                    h.MemoryDisplSize = 0;
                    h.SegmentPrefix = Register.None;
                    break;
                case OpKind.Immediate8:
                case OpKind.Immediate16:
                case OpKind.Immediate32:
                case OpKind.Immediate64:
                case OpKind.Immediate8to16:
                case OpKind.Immediate8to32:
                case OpKind.Immediate8to64:
                case OpKind.Immediate32to64:
                case OpKind.Immediate8_2nd:
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    // A home must hold the guest value before the instruction unless the instruction
    // certainly replaces all 64 bits (a 32- or 64-bit write from these).
    private static bool NeedsLoad(Mnemonic m, OpAccess access, int size) =>
        !(access == OpAccess.Write && size >= 4 && m is Mnemonic.Mov or Mnemonic.Movzx or Mnemonic.Movsx or Mnemonic.Movsxd or Mnemonic.Imul);

    private void EmitGeneric(ref DecodedOp op)
    {
        Mnemonic m = op.I.Mnemonic;
        if (m == Mnemonic.Lea)
        {
            EmitLea(ref op);
            return;
        }
        int memory = MemoryOperandIndex(in op.I);
        int stub = -1;
        if (memory >= 0)
        {
            OpAccess access = _info.GetInfo(in op.I).GetOpAccess(memory);
            bool write = access is not (OpAccess.Read or OpAccess.CondRead);
            stub = NewStub();
            MemoryOperandAddress(ref op, op.MemorySize, write, aligned: op.I.HasLockPrefix || m == Mnemonic.Xchg, stub);
        }
        RflagsBits modified = op.I.RflagsModified & Arithmetic;
        bool conditional = IsShift(m) && ShiftMayBeZero(in op.I);
        if ((op.I.RflagsRead & Arithmetic) != 0 || (modified != 0 && (modified != Arithmetic || conditional)))
            NeedFlags();

        Implicit bound = ImplicitOf(in op.I);
        bool countInCl = IsShift(m) && HasClOperand(in op.I);
        int raxHome = -1, rdxHome = -1;
        if ((bound & Implicit.RaxIn) != 0)
        {
            raxHome = Home(0, load: true);
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, HomeRegister(raxHome, 8)));
        }
        if ((bound & Implicit.RdxIn) != 0)
        {
            rdxHome = Home(2, load: true);
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, HomeRegister(rdxHome, 8)));
        }
        if (countInCl)
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, HomeRegister(Home(1, load: true), 8)));

        Instruction h = op.I;
        if (!Rewrite(ref h, probe: false))
            throw new InvalidOperationException($"jit: {op.I} was planned but does not rewrite");
        _e.Emit(in h);

        if ((bound & Implicit.RaxOut) != 0)
        {
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, HomeRegister(raxHome, 8), Register.RAX));
            MarkDirty(0);
        }
        if ((bound & Implicit.RdxOut) != 0)
        {
            _e.Emit(Instruction.Create(Code.Mov_r64_rm64, HomeRegister(rdxHome, 8), Register.RDX));
            MarkDirty(2);
        }
        if (modified != 0)
            FlagsWritten();
        if (memory == 0 && _opIndex != _block.Ops.Length - 1 && IsStore(in op.I))
            EmitCodeWriteCheck(ref op, op.MemorySize);
        if (stub >= 0)
            JoinStub(stub);
    }

    // Whether the instruction may write its memory operand (CMP, TEST and BT only read it).
    private bool IsStore(in Instruction i) => _info.GetInfo(in i).GetOpAccess(0) is not (OpAccess.Read or OpAccess.CondRead or OpAccess.NoMemAccess or OpAccess.None);

    private static bool HasClOperand(in Instruction i)
    {
        for (int n = 0; n < i.OpCount; n++)
        {
            if (i.GetOpKind(n) == OpKind.Register && i.GetOpRegister(n) == Register.CL)
                return true;
        }
        return false;
    }

    // A shift or rotate whose masked count may be 0 leaves every flag as it was.
    private static bool ShiftMayBeZero(in Instruction i)
    {
        if (HasClOperand(in i))
            return true;
        int last = i.OpCount - 1;
        if (i.GetOpKind(last) is not (OpKind.Immediate8 or OpKind.Immediate8_2nd))
            return false;
        int size = i.Op0Kind == OpKind.Register ? RegisterInfo.Size(i.Op0Register) : i.MemorySize.GetSize();
        ulong mask = size == 8 ? 63UL : 31UL;
        return (i.GetImmediate(last) & mask) == 0;
    }

    // LEA: the effective address, truncated or zero-extended to the destination's size by the move.
    private void EmitLea(ref DecodedOp op)
    {
        EffectiveAddress(ref op);
        Register r = op.I.Op0Register;
        int size = RegisterInfo.Size(r);
        int guest = RegisterInfo.Number(r);
        int home = Home(guest, load: size < 4);
        _e.Emit(Instruction.Create(size switch { 2 => Code.Mov_r16_rm16, 4 => Code.Mov_r32_rm32, _ => Code.Mov_r64_rm64 },
            HomeRegister(home, size), Scratch(6, size)));
        MarkDirty(guest);
    }
}
