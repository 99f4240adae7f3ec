using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Creates an instruction of a given Iced <see cref="Code"/> with random
/// operands, driven by the operand kinds of its opcode (Iced's
/// <see cref="OpCodeInfo"/>): registers of each width (AH..BH too), memory in
/// every addressing form of 64-bit mode (base, index and scale, 8- and 32-bit
/// displacements, RIP-relative, absolute, 32-bit addresses with an 0x67
/// prefix) and immediates. Register values go into the <see cref="CaseState"/>;
/// a memory operand's registers are given values that make it point into the
/// data region (or, sometimes, across a page or out of it).
/// </summary>
internal sealed class InstructionFactory
{
    private readonly OperandValues _v;

    public InstructionFactory(OperandValues values) => _v = values;

    /// <summary>The codes of a mnemonic that exist in 64-bit mode with a legacy encoding.</summary>
    public static IEnumerable<Code> CodesOf(params Mnemonic[] mnemonics)
    {
        var wanted = new HashSet<Mnemonic>(mnemonics);
        foreach (Code code in Enum.GetValues<Code>())
        {
            if (!wanted.Contains(code.Mnemonic()))
                continue;
            OpCodeInfo info = code.ToOpCode();
            if (info.Mode64 && info.Encoding == EncodingKind.Legacy)
                yield return code;
        }
    }

    /// <summary>Encodes instructions one after another from the start of the code region.</summary>
    public static byte[] Assemble(params Instruction[] instructions)
    {
        var writer = new ByteWriter();
        var encoder = Encoder.Create(64, writer);
        ulong ip = DifferentialLayout.CodeBase;
        foreach (Instruction i in instructions)
            ip += (ulong)encoder.Encode(i, ip);
        return writer.ToArray();
    }

    /// <summary>Creates <paramref name="code"/> with operands; null when its operands cannot be made here (or did not encode, e.g. AH with REX).</summary>
    public GeneratedInstruction? Create(Code code, CaseState state, FillOptions options)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            ulong[] saved = (ulong[])state.Registers.Clone();
            GeneratedInstruction? made = TryCreate(code, state, options, out bool retry);
            if (made != null || !retry)
                return made;
            saved.CopyTo(state.Registers, 0);
        }
        return null;
    }

    private GeneratedInstruction? TryCreate(Code code, CaseState state, FillOptions o, out bool retry)
    {
        retry = false;
        OpCodeInfo info = code.ToOpCode();
        var operands = new object?[info.OpCount];
        int memoryIndex = -1;
        // Registers and immediates first, so the memory operand's registers can avoid them.
        for (int i = 0; i < info.OpCount; i++)
        {
            OpCodeOperandKind kind = info.GetOpKind(i);
            int size = RmSize(kind);
            if (size > 0)
            {
                if (kind is OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs || _v.Chance(o.MemoryChance))
                    memoryIndex = i;
                else
                    operands[i] = OperandRegister(size, state);
                continue;
            }
            object? operand = kind switch
            {
                OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode => OperandRegister(1, state),
                OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode => OperandRegister(2, state),
                OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode => OperandRegister(4, state),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode => OperandRegister(8, state),
                OpCodeOperandKind.al => Fixed(Register.AL, 0, 1, state),
                OpCodeOperandKind.ax => Fixed(Register.AX, 0, 2, state),
                OpCodeOperandKind.eax => Fixed(Register.EAX, 0, 4, state),
                OpCodeOperandKind.rax => Fixed(Register.RAX, 0, 8, state),
                OpCodeOperandKind.cl => Fixed(Register.CL, 1, 1, state),
                // Segment registers as sources only (MOV r/m, Sreg; PUSH FS/GS): loading one depends on the host OS's GDT.
                OpCodeOperandKind.seg_reg when i > 0 => _v.Pick([Register.ES, Register.CS, Register.SS, Register.DS, Register.FS, Register.GS]),
                OpCodeOperandKind.fs when code.Mnemonic() == Mnemonic.Push => Register.FS,
                OpCodeOperandKind.gs when code.Mnemonic() == Mnemonic.Push => Register.GS,
                OpCodeOperandKind.imm8_const_1 => 1,
                OpCodeOperandKind.br64_1 => (long)(o.BranchTarget?.Invoke() ?? DifferentialLayout.CodeBase + (ulong)_v.Int(0x20, 0x60)),
                OpCodeOperandKind.br64_4 => (long)(o.BranchTarget?.Invoke() ?? DifferentialLayout.CodeBase + (ulong)_v.Int(0x100, DifferentialLayout.CodeSize)),
                OpCodeOperandKind.imm8 or OpCodeOperandKind.imm16 or OpCodeOperandKind.imm32 or OpCodeOperandKind.imm8sex16
                    or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64 or OpCodeOperandKind.imm32sex64
                    or OpCodeOperandKind.imm64 => Immediate(kind, o),
                _ => null,
            };
            if (operand == null)
                return null;
            operands[i] = operand;
        }
        int memorySize = 0;
        int? offset = null;
        if (memoryIndex >= 0)
        {
            // A moffs operand (MOV AL/AX/EAX/RAX to or from memory, A0..A3) is a 64-bit absolute address.
            MemoryForm form = info.GetOpKind(memoryIndex) == OpCodeOperandKind.mem_offs
                ? new MemoryForm(MemoryForm.Kind.Absolute, -1, -1, 1, 0)
                : ChooseForm(state, o);
            operands[memoryIndex] = form.Operand();
            Instruction provisional;
            try
            {
                provisional = Make(code, operands);
            }
            catch (ArgumentException)
            {
                return null;
            }
            memorySize = provisional.MemorySize.GetSize();
            if (o.AddressOnly)
            {
                operands[memoryIndex] = form.Random(state, _v);
            }
            else
            {
                int target = o.MemoryOffset?.Invoke(memorySize) ?? ChooseOffset(Math.Max(memorySize, 1), o);
                offset = target;
                ulong address = DifferentialLayout.DataBase + (ulong)(long)target;
                operands[memoryIndex] = form.Bind(address, state, _v);
                state.Patch(target, _v.Next(Math.Min(Math.Max(memorySize, 1), 8)), Math.Min(Math.Max(memorySize, 1), 8));
                if (memorySize > 8)
                    state.Patch(target + 8, _v.Next(8), memorySize - 8);
            }
        }
        Instruction instruction;
        try
        {
            instruction = Make(code, operands);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (info.CanUseLockPrefix && _v.Chance(memoryIndex >= 0 ? o.LockChance : o.LockChance / 10))
            instruction.HasLockPrefix = true;
        try
        {
            return new GeneratedInstruction(instruction, Assemble(instruction), offset, memorySize);
        }
        catch (EncoderException)
        {
            retry = true;
            return null;
        }
    }

    private static int RmSize(OpCodeOperandKind kind) => kind switch
    {
        OpCodeOperandKind.r8_or_mem => 1,
        OpCodeOperandKind.r16_or_mem => 2,
        OpCodeOperandKind.r32_or_mem => 4,
        OpCodeOperandKind.r64_or_mem => 8,
        OpCodeOperandKind.mem or OpCodeOperandKind.mem_offs => 16,
        _ => 0,
    };

    /// <summary>A random register of <paramref name="size"/> bytes, given an operand value (its register index is marked used).</summary>
    public Register OperandRegister(int size, CaseState state)
    {
        int index = _v.Int(0, 16);
        Register r;
        if (size == 1 && index is >= 4 and < 8 && _v.Chance(0.5))
        {
            // AH, CH, DH, BH: bits 15:8 of RAX..RBX (only without a REX prefix).
            r = Register.AH + (index - 4);
            index -= 4;
            state.Set(index, (state.Registers[index] & ~0xFF00UL) | (_v.Next(1) << 8));
            return r;
        }
        r = Gpr(size, index);
        state.Set(index, _v.Register(size));
        return r;
    }

    private Register Fixed(Register r, int index, int size, CaseState state)
    {
        state.Set(index, _v.Register(size));
        return r;
    }

    public static Register Gpr(int size, int index) => size switch
    {
        8 => Register.RAX + index,
        4 => Register.EAX + index,
        2 => Register.AX + index,
        _ => index < 4 ? Register.AL + index : Register.SPL + (index - 4),
    };

    private object Immediate(OpCodeOperandKind kind, FillOptions o)
    {
        ulong value = o.Immediate?.Invoke(kind) ?? kind switch
        {
            OpCodeOperandKind.imm8 => _v.Next(1),
            OpCodeOperandKind.imm16 => _v.Next(2),
            OpCodeOperandKind.imm32 or OpCodeOperandKind.imm32sex64 => _v.Next(4),
            OpCodeOperandKind.imm64 => _v.Next(8),
            _ => _v.Next(1),
        };
        return kind switch
        {
            OpCodeOperandKind.imm64 => (long)value,
            OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64 => (int)(sbyte)value,
            OpCodeOperandKind.imm32sex64 or OpCodeOperandKind.imm32 => (int)(uint)value,
            OpCodeOperandKind.imm16 => (int)(ushort)value,
            _ => (int)(byte)value,
        };
    }

    /// <summary>Where in (or around) the data region an operand of <paramref name="size"/> bytes goes.</summary>
    public int ChooseOffset(int size, FillOptions o)
    {
        double r = _v.Random.NextDouble();
        int end = DifferentialLayout.DataSize;
        if (r < o.FaultChance)
        {
            return _v.Int(0, 4) switch
            {
                0 => end - _v.Int(1, size + 1),   // runs off the end (partly, for a wide operand)
                1 => -_v.Int(1, size + 1),        // starts in the page before
                2 => end + _v.Int(0, 64),         // wholly after
                _ => -_v.Int(size, 64 + size),    // wholly before
            };
        }
        if (r < o.FaultChance + o.PageCrossChance && size > 1)
            return DifferentialLayout.PageSize - _v.Int(1, size);
        int offset = _v.Int(0, end - size + 1);
        return _v.Chance(0.5) ? offset & ~(size - 1) & ~(Math.Min(size, 16) - 1) : offset;
    }

    private MemoryForm ChooseForm(CaseState state, FillOptions o)
    {
        MemoryForm form = ChooseAddressing(state, o);
        int r = _v.Int(0, 100);
        if (r < 8 && form.CanUseGs)
            form.Segment = Register.GS;
        else if (r < 14)
            form.Segment = _v.Pick([Register.ES, Register.CS, Register.SS, Register.DS]); // no base in 64-bit mode
        return form;
    }

    private MemoryForm ChooseAddressing(CaseState state, FillOptions o)
    {
        int avoid = o.Implicit;
        int Free(bool allowRsp)
        {
            for (int tries = 0; tries < 64; tries++)
            {
                int r = _v.Int(0, 16);
                if ((avoid & (1 << r)) == 0 && !state.IsUsed(r) && (allowRsp || r != 4))
                {
                    avoid |= 1 << r;
                    return r;
                }
            }
            return -1;
        }
        int form = _v.Int(0, 20);
        if (form < 1)
            return new MemoryForm(MemoryForm.Kind.RipRelative, -1, -1, 1, 0);
        if (form < 2)
            return new MemoryForm(MemoryForm.Kind.Absolute, -1, -1, 1, 0);
        int scale = 1 << _v.Int(0, 4);
        if (form < 4)
        {
            int index = Free(false);
            return index < 0 ? new MemoryForm(MemoryForm.Kind.Absolute, -1, -1, 1, 0) : new MemoryForm(MemoryForm.Kind.IndexOnly, -1, index, scale, 4);
        }
        int bits = form < 6 ? 32 : 64;
        int @base = Free(true);
        if (@base < 0)
            return new MemoryForm(MemoryForm.Kind.Absolute, -1, -1, 1, 0);
        int idx = form % 2 == 0 ? Free(false) : -1;
        int displacement = _v.Int(0, 3) switch { 0 => 0, 1 => 1, _ => bits == 64 ? 8 : 4 };
        return new MemoryForm(bits == 32 ? MemoryForm.Kind.Address32 : MemoryForm.Kind.Address64, @base, idx, idx < 0 ? 1 : scale, displacement);
    }

    /// <summary>Iced's Instruction.Create for the operands made (registers, a memory operand, immediates).</summary>
    private static Instruction Make(Code code, object?[] operands)
    {
        if (code.ToOpCode() is { } info && info.OpCount == 1 && info.GetOpKind(0) is OpCodeOperandKind.br64_1 or OpCodeOperandKind.br64_4)
            return Instruction.CreateBranch(code, (ulong)(long)operands[0]!);
        return operands switch
        {
            [] => Instruction.Create(code),
            [Register a] => Instruction.Create(code, a),
            [MemoryOperand m] => Instruction.Create(code, m),
            [int i] => Instruction.Create(code, i),
            [Register a, Register b] => Instruction.Create(code, a, b),
            [Register a, MemoryOperand m] => Instruction.Create(code, a, m),
            [Register a, int i] => Instruction.Create(code, a, i),
            [Register a, long i] => Instruction.Create(code, a, i),
            [MemoryOperand m, Register b] => Instruction.Create(code, m, b),
            [MemoryOperand m, int i] => Instruction.Create(code, m, i),
            [int a, int b] => Instruction.Create(code, a, b),
            [Register a, Register b, Register c] => Instruction.Create(code, a, b, c),
            [Register a, Register b, int i] => Instruction.Create(code, a, b, i),
            [Register a, MemoryOperand m, int i] => Instruction.Create(code, a, m, i),
            [MemoryOperand m, Register b, Register c] => Instruction.Create(code, m, b, c),
            [MemoryOperand m, Register b, int i] => Instruction.Create(code, m, b, i),
            _ => throw new ArgumentException($"no Instruction.Create for the operands of {code}"),
        };
    }
}
