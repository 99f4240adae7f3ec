using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// Decodes a block at the CPU's current instruction pointer with Iced: the
/// bytes of the page are copied into a buffer, instructions decoded until one
/// ends the block, and each gets its handler and precomputed operand data.
/// An instruction is never split across blocks; only a block's first
/// instruction may cross into the next page (which is then translated, and
/// may fault, as the fetch of that instruction would).
/// </summary>
internal sealed unsafe class BlockDecoder
{
    public const int MaxInstructions = 32;

    private readonly X86Cpu _cpu;
    private readonly BufferCodeReader _reader = new();
    private readonly Decoder _decoder16, _decoder32, _decoder64;
    private readonly DecodedOp[] _scratch = new DecodedOp[MaxInstructions];

    public BlockDecoder(X86Cpu cpu)
    {
        _cpu = cpu;
        _decoder16 = Decoder.Create(16, _reader, DecoderOptions.None);
        _decoder32 = Decoder.Create(32, _reader, DecoderOptions.None);
        _decoder64 = Decoder.Create(64, _reader, DecoderOptions.None);
    }

    /// <summary>Decodes the block at <paramref name="pc"/> (linear), which is <paramref name="rip"/> in CS.</summary>
    public Block Decode(ulong pc, ulong rip, ulong csBase, int mode)
    {
        Decoder decoder = mode == 64 ? _decoder64 : mode == 32 ? _decoder32 : _decoder16;
        byte[] buffer = _reader.Buffer;
        int inPage = (int)(0x1000 - (pc & 0xFFF));
        int firstLength = Math.Min(inPage, MaxInstructions * 15);
        byte* host = _cpu.FetchCode(pc, buffer.AsSpan(0, firstLength));
        byte* host2 = null;
        int available = firstLength;
        ulong ipMask = mode == 64 ? ulong.MaxValue : mode == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        int count = 0, length = 0;
        bool endAfterNext = false;
        while (count < MaxInstructions)
        {
            _reader.Position = length;
            _reader.Limit = available;
            decoder.IP = (rip + (ulong)length) & ipMask;
            decoder.Decode(out Instruction instruction);
            if (decoder.LastError == DecoderError.NoMoreBytes)
            {
                if (count > 0 || available > firstLength || firstLength < inPage)
                    break;
                // The first instruction runs into the next page: fetch it too (a fault there is the instruction's).
                host2 = _cpu.FetchCode(pc + (ulong)inPage, buffer.AsSpan(available, 15));
                available += 15;
                continue;
            }
            ref DecodedOp op = ref _scratch[count++];
            Prepare(ref op, in instruction, mode, ipMask);
            length += instruction.Length;
            if (endAfterNext || EndsBlock(in instruction))
                break;
            if (instruction.Mnemonic == Mnemonic.Sti || instruction.Code is Code.Mov_Sreg_rm16 or Code.Mov_Sreg_r32m16 or Code.Mov_Sreg_r64m16
                || instruction.Mnemonic == Mnemonic.Pop && instruction.Op0Register == Register.SS)
                endAfterNext = true; // the interrupt shadow covers the next instruction; end right after it
        }
        // A store may rewrite the rest of this very block: the instructions after it must
        // then run as rewritten (SDM vol. 3A, 11.6), so stores other than the last
        // instruction check the block's bytes afterwards.
        for (int i = 0; i < count - 1; i++)
        {
            ref DecodedOp op = ref _scratch[i];
            if (MayStore(in op.I))
            {
                op.Inner = op.Handler;
                op.Handler = &CodeWriteCheck.Run;
            }
        }
        int hostLength = Math.Min(length, firstLength);
        return new Block(pc, rip, csBase, mode, _scratch.AsSpan(0, count).ToArray(), buffer.AsSpan(0, length).ToArray(),
            host, hostLength, length > firstLength ? host2 : null);
    }

    // Writes memory through its first operand (MOV/ALU to memory, SETcc, SSE stores) or as a
    // string destination (MOVS, STOS, INS); stack pushes are left out (code on the stack
    // being run as it is pushed is not something guests do).
    private static bool MayStore(in Instruction instruction) =>
        instruction.OpCount > 0 && instruction.Op0Kind is OpKind.Memory or OpKind.MemoryESDI or OpKind.MemoryESEDI or OpKind.MemoryESRDI;

    private static void Prepare(ref DecodedOp op, in Instruction instruction, int mode, ulong ipMask)
    {
        op = default;
        op.I = instruction;
        op.Handler = HandlerTable.For(in instruction);
        op.NextIp = instruction.NextIP & ipMask;
        op.Condition = instruction.ConditionCode;
        if (instruction.OpCount > 0 && instruction.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64)
            op.Target = instruction.NearBranchTarget;
        op.AddressSize = (byte)AddressSize(in instruction, mode);
        op.AddressMask = op.AddressSize == 8 ? ulong.MaxValue : op.AddressSize == 4 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        op.Base = op.Index = -1;
        int memoryOperand = -1;
        bool stringOperand = false;
        for (int i = 0; i < instruction.OpCount; i++)
        {
            OpKind kind = instruction.GetOpKind(i);
            if (kind == OpKind.Memory)
                memoryOperand = i;
            else if (kind is >= OpKind.MemorySegSI and <= OpKind.MemoryESRDI)
                stringOperand = true;
        }
        if (stringOperand)
        {
            // String instructions: the overridable segment (of the SI operand; ES for STOS/SCAS/INS), the element size.
            op.Segment = (SegmentIndex)(instruction.MemorySegment - Register.ES);
            op.MemorySize = (byte)instruction.MemorySize.GetSize();
        }
        if (memoryOperand >= 0)
        {
            Register b = instruction.MemoryBase, x = instruction.MemoryIndex;
            op.Displacement = instruction.MemoryDisplacement64;
            if (b != Register.None && RegisterInfo.Kind(b) == RegisterKind.Gpr)
                op.Base = (sbyte)RegisterInfo.Number(b);
            if (x != Register.None && RegisterInfo.Kind(x) == RegisterKind.Gpr)
            {
                op.Index = (sbyte)RegisterInfo.Number(x);
                op.ScaleShift = (byte)System.Numerics.BitOperations.Log2((uint)instruction.MemoryIndexScale);
            }
            op.Segment = (SegmentIndex)(instruction.MemorySegment - Register.ES);
            op.MemorySize = (byte)instruction.MemorySize.GetSize();
        }
        op.OperandSize = (byte)OperandSize(in instruction, op.MemorySize);
    }

    // The address size: the mode's, or the other one with an 0x67 prefix.
    private static int AddressSize(in Instruction instruction, int mode)
    {
        Register b = instruction.MemoryBase != Register.None ? instruction.MemoryBase : instruction.MemoryIndex;
        if (b != Register.None)
            return b.GetSize();
        int displ = instruction.MemoryDisplSize;
        if (displ is 2 or 4 or 8)
            return displ;
        // String instructions, LOOP, JCXZ: their counter or pointer register says it.
        for (int i = 0; i < instruction.OpCount; i++)
        {
            OpKind k = instruction.GetOpKind(i);
            if (k is OpKind.MemorySegSI or OpKind.MemorySegDI or OpKind.MemoryESDI)
                return 2;
            if (k is OpKind.MemorySegESI or OpKind.MemorySegEDI or OpKind.MemoryESEDI)
                return 4;
            if (k is OpKind.MemorySegRSI or OpKind.MemorySegRDI or OpKind.MemoryESRDI)
                return 8;
        }
        if (instruction.IsJcxShort || instruction.IsLoopcc || instruction.IsLoop)
        {
            return instruction.Code switch
            {
                Code.Jcxz_rel8_16 or Code.Jcxz_rel8_32 or Code.Loop_rel8_16_CX or Code.Loop_rel8_32_CX or Code.Loope_rel8_16_CX
                    or Code.Loope_rel8_32_CX or Code.Loopne_rel8_16_CX or Code.Loopne_rel8_32_CX => 2,
                Code.Jecxz_rel8_16 or Code.Jecxz_rel8_32 or Code.Jecxz_rel8_64 or Code.Loop_rel8_16_ECX or Code.Loop_rel8_32_ECX
                    or Code.Loop_rel8_64_ECX or Code.Loope_rel8_16_ECX or Code.Loope_rel8_32_ECX or Code.Loope_rel8_64_ECX
                    or Code.Loopne_rel8_16_ECX or Code.Loopne_rel8_32_ECX or Code.Loopne_rel8_64_ECX => 4,
                _ => 8,
            };
        }
        return mode / 8;
    }

    private static int OperandSize(in Instruction instruction, int memorySize)
    {
        if (instruction.OpCount > 0 && instruction.Op0Kind == OpKind.Register)
        {
            int size = RegisterInfo.Size(instruction.Op0Register);
            if (size > 0)
                return size;
        }
        return memorySize;
    }

    // Branches, and instructions after which the CPU mode, the interrupt state
    // or the mapping of code may differ, end a block.
    private static bool EndsBlock(in Instruction instruction)
    {
        if (instruction.FlowControl != FlowControl.Next || instruction.Code == Code.INVALID)
            return true;
        switch (instruction.Mnemonic)
        {
            case Mnemonic.Mov:
                return instruction.Op0Kind == OpKind.Register
                    && RegisterInfo.Kind(instruction.Op0Register) is RegisterKind.Control or RegisterKind.Debug or RegisterKind.Segment;
            case Mnemonic.Pop:
                return instruction.Op0Kind == OpKind.Register && RegisterInfo.Kind(instruction.Op0Register) == RegisterKind.Segment;
            case Mnemonic.Lmsw:
            case Mnemonic.Clts:
            case Mnemonic.Wrmsr:
            case Mnemonic.Hlt:
            case Mnemonic.Popf:
            case Mnemonic.Popfd:
            case Mnemonic.Popfq:
            case Mnemonic.Invlpg:
            case Mnemonic.Xsetbv:
            case Mnemonic.Lgdt:
            case Mnemonic.Lidt:
            case Mnemonic.Lldt:
            case Mnemonic.Ltr:
            case Mnemonic.Wbinvd:
            case Mnemonic.Invd:
            case Mnemonic.Rsm:
            case Mnemonic.Mwait:
            case Mnemonic.Lds:
            case Mnemonic.Les:
            case Mnemonic.Lfs:
            case Mnemonic.Lgs:
            case Mnemonic.Lss:
            case Mnemonic.Swapgs:
            case Mnemonic.Wrfsbase:
            case Mnemonic.Wrgsbase:
            case Mnemonic.Cli:
                return true;
            default:
                return false;
        }
    }
}
