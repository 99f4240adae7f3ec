using System.Buffers.Binary;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>Data movement: MOV (general, segment, control and debug registers), MOVZX/MOVSX(D), LEA, XCHG, CMPXCHG(8B/16B), XADD, BSWAP, the sign extensions, CMOVcc, SETcc, LAHF/SAHF, XLAT.</summary>
internal static unsafe class MoveOps
{
    public static void Mov(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Op0Kind == OpKind.Register)
        {
            Register dst = op.I.Op0Register;
            switch (RegisterInfo.Kind(dst))
            {
                case RegisterKind.Gpr:
                {
                    int size = RegisterInfo.Size(dst);
                    ulong value = op.I.Op1Kind == OpKind.Register ? ReadAnyRegister(cpu, op.I.Op1Register) : cpu.ReadOperand(ref op, 1, size);
                    cpu.WriteGpr(dst, value);
                    return;
                }
                case RegisterKind.Segment:
                {
                    var index = (SegmentIndex)RegisterInfo.Number(dst);
                    if (index == SegmentIndex.Cs)
                        throw cpu.Fault(ExceptionVector.InvalidOpcode);
                    ushort selector = (ushort)cpu.ReadOperand(ref op, 1, 2);
                    cpu.LoadSegment(index, selector);
                    if (index == SegmentIndex.Ss)
                    {
                        cpu.InterruptShadow = true;
                        cpu.ShadowSetAt = cpu.InstructionStart;
                    }
                    return;
                }
                case RegisterKind.Control:
                    SystemOps.WriteControlRegister(cpu, RegisterInfo.Number(dst), cpu.ReadGpr(op.I.Op1Register));
                    return;
                case RegisterKind.Debug:
                    SystemOps.WriteDebugRegister(cpu, RegisterInfo.Number(dst), cpu.ReadGpr(op.I.Op1Register));
                    return;
            }
            throw cpu.Unimplemented(in op.I);
        }
        // A memory destination: from a general or segment register, or an immediate.
        int width = op.MemorySize;
        ulong source = op.I.Op1Kind == OpKind.Register ? ReadAnyRegister(cpu, op.I.Op1Register) : cpu.ReadOperand(ref op, 1, width);
        cpu.Write(cpu.MemoryAddress(ref op, width, MemoryAccess.Write), width, source);
    }

    // MOV's source register: general, segment (the selector, zero-extended), control or debug.
    private static ulong ReadAnyRegister(X86Cpu cpu, Register r) => RegisterInfo.Kind(r) switch
    {
        RegisterKind.Gpr => cpu.ReadGpr(r),
        RegisterKind.Segment => cpu.Segments[RegisterInfo.Number(r)].Selector,
        RegisterKind.Control => SystemOps.ReadControlRegister(cpu, RegisterInfo.Number(r)),
        RegisterKind.Debug => SystemOps.ReadDebugRegister(cpu, RegisterInfo.Number(r)),
        _ => throw cpu.Fault(ExceptionVector.InvalidOpcode),
    };

    private static int SourceSize(ref DecodedOp op) =>
        op.I.Op1Kind == OpKind.Register ? RegisterInfo.Size(op.I.Op1Register) : op.MemorySize;

    public static void Movzx(X86Cpu cpu, ref DecodedOp op) =>
        cpu.WriteGpr(op.I.Op0Register, cpu.ReadOperand(ref op, 1, SourceSize(ref op)));

    public static void Movsx(X86Cpu cpu, ref DecodedOp op)
    {
        int size = SourceSize(ref op);
        cpu.WriteGpr(op.I.Op0Register, (ulong)X86Cpu.SignExtend(cpu.ReadOperand(ref op, 1, size), size));
    }

    public static void Lea(X86Cpu cpu, ref DecodedOp op) => cpu.WriteGpr(op.I.Op0Register, cpu.EffectiveAddress(ref op));

    public static void Xchg(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        if (op.I.Op0Kind == OpKind.Register && op.I.Op1Kind == OpKind.Register)
        {
            Register a = op.I.Op0Register, b = op.I.Op1Register;
            ulong va = cpu.ReadGpr(a), vb = cpu.ReadGpr(b);
            cpu.WriteGpr(a, vb);
            cpu.WriteGpr(b, va);
            return;
        }
        // With memory XCHG is always locked.
        int memoryOperand = op.I.Op0Kind == OpKind.Memory ? 0 : 1;
        Register register = op.I.GetOpRegister(1 - memoryOperand);
        size = op.MemorySize;
        ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
        ulong value = cpu.ReadGpr(register);
        byte* p = cpu.AtomicPointer(linear, size);
        ulong old;
        if (p == null)
        {
            lock (cpu.Platform.AtomicLock)
            {
                old = cpu.Read(linear, size);
                cpu.Write(linear, size, value);
            }
        }
        else
        {
            do
                old = X86Cpu.LoadVolatile(p, size);
            while (X86Cpu.CompareExchange(p, size, old, value) != old);
        }
        cpu.WriteGpr(register, old);
    }

    public static void Cmpxchg(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong mask = X86Cpu.SizeMask(size);
        ulong expected = cpu.Rax & mask;
        ulong source = cpu.ReadGpr(op.I.Op1Register);
        ulong current;
        if (op.I.Op0Kind == OpKind.Register)
        {
            current = cpu.ReadGpr(op.I.Op0Register);
            if (current == expected)
                cpu.WriteGpr(op.I.Op0Register, source);
        }
        else
        {
            ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
            byte* p = op.I.HasLockPrefix ? cpu.AtomicPointer(linear, size) : null;
            if (p != null)
            {
                current = X86Cpu.CompareExchange(p, size, expected, source);
            }
            else
            {
                lock (cpu.Platform.AtomicLock)
                {
                    current = cpu.ReadForUpdate(linear, size);
                    // The destination is written either way (with its own value when the compare fails).
                    cpu.Write(linear, size, current == expected ? source : current);
                }
            }
        }
        cpu.SetFlags(FlagOp.Sub, size, expected, current, (expected - current) & mask);
        if (current != expected)
            WriteAccumulator(cpu, size, current);
    }

    private static void WriteAccumulator(X86Cpu cpu, int size, ulong value)
    {
        switch (size)
        {
            case 1: cpu.Rax = (cpu.Rax & ~0xFFUL) | (value & 0xFF); break;
            case 2: cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (value & 0xFFFF); break;
            case 4: cpu.Rax = (uint)value; break;
            default: cpu.Rax = value; break;
        }
    }

    public static void Cmpxchg8b(X86Cpu cpu, ref DecodedOp op)
    {
        ulong linear = cpu.MemoryAddress(ref op, 8, MemoryAccess.Write);
        ulong expected = ((cpu.Rdx & 0xFFFF_FFFF) << 32) | (cpu.Rax & 0xFFFF_FFFF);
        ulong desired = ((cpu.Rcx & 0xFFFF_FFFF) << 32) | (cpu.Rbx & 0xFFFF_FFFF);
        byte* p = cpu.AtomicPointer(linear, 8);
        ulong current;
        if (p != null)
        {
            current = X86Cpu.CompareExchange(p, 8, expected, desired);
        }
        else
        {
            lock (cpu.Platform.AtomicLock)
            {
                current = cpu.ReadForUpdate(linear, 8);
                cpu.Write(linear, 8, current == expected ? desired : current);
            }
        }
        bool equal = current == expected;
        cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, equal ? X86Cpu.FlagZf : 0);
        if (!equal)
        {
            cpu.Rax = (uint)current;
            cpu.Rdx = current >> 32;
        }
    }

    public static void Cmpxchg16b(X86Cpu cpu, ref DecodedOp op)
    {
        ulong linear = cpu.MemoryAddress(ref op, 16, MemoryAccess.Write);
        if ((linear & 15) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        // No 16-byte host CAS in .NET: the machine-wide lock makes it atomic with the other locked instructions.
        lock (cpu.Platform.AtomicLock)
        {
            ulong low = cpu.ReadForUpdate(linear, 8), high = cpu.ReadForUpdate(linear + 8, 8);
            bool equal = low == cpu.Rax && high == cpu.Rdx;
            if (equal)
            {
                cpu.Write(linear, 8, cpu.Rbx);
                cpu.Write(linear + 8, 8, cpu.Rcx);
            }
            else
            {
                cpu.Write(linear, 8, low);
                cpu.Write(linear + 8, 8, high);
                cpu.Rax = low;
                cpu.Rdx = high;
            }
            cpu.UpdateArithmeticFlags(X86Cpu.FlagZf, equal ? X86Cpu.FlagZf : 0);
        }
    }

    public static void Xadd(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        ulong mask = X86Cpu.SizeMask(size);
        Register source = op.I.Op1Register;
        ulong addend = cpu.ReadGpr(source);
        ulong old;
        if (op.I.Op0Kind == OpKind.Register)
        {
            old = cpu.ReadGpr(op.I.Op0Register);
            cpu.WriteGpr(source, old);
            cpu.WriteGpr(op.I.Op0Register, (old + addend) & mask);
        }
        else
        {
            ulong linear = cpu.MemoryAddress(ref op, size, MemoryAccess.Write);
            byte* p = op.I.HasLockPrefix ? cpu.AtomicPointer(linear, size) : null;
            if (p != null)
            {
                do
                    old = X86Cpu.LoadVolatile(p, size);
                while (X86Cpu.CompareExchange(p, size, old, (old + addend) & mask) != old);
            }
            else
            {
                lock (cpu.Platform.AtomicLock)
                {
                    old = cpu.ReadForUpdate(linear, size);
                    cpu.Write(linear, size, (old + addend) & mask);
                }
            }
            cpu.WriteGpr(source, old);
        }
        cpu.SetFlags(FlagOp.Add, size, old, addend, (old + addend) & mask);
    }

    public static void Bswap(X86Cpu cpu, ref DecodedOp op)
    {
        Register r = op.I.Op0Register;
        ulong value = cpu.ReadGpr(r);
        cpu.WriteGpr(r, RegisterInfo.Size(r) == 8 ? BinaryPrimitives.ReverseEndianness(value) : BinaryPrimitives.ReverseEndianness((uint)value));
    }

    public static void Cbw(X86Cpu cpu, ref DecodedOp op) => cpu.Rax = (cpu.Rax & ~0xFFFFUL) | (ulong)(ushort)(short)(sbyte)(byte)cpu.Rax;
    public static void Cwde(X86Cpu cpu, ref DecodedOp op) => cpu.Rax = (uint)(short)cpu.Rax;
    public static void Cdqe(X86Cpu cpu, ref DecodedOp op) => cpu.Rax = (ulong)(int)cpu.Rax;
    public static void Cwd(X86Cpu cpu, ref DecodedOp op) => cpu.Rdx = (cpu.Rdx & ~0xFFFFUL) | ((short)cpu.Rax < 0 ? 0xFFFFUL : 0UL);
    public static void Cdq(X86Cpu cpu, ref DecodedOp op) => cpu.Rdx = (int)cpu.Rax < 0 ? 0xFFFF_FFFFUL : 0;
    public static void Cqo(X86Cpu cpu, ref DecodedOp op) => cpu.Rdx = (long)cpu.Rax < 0 ? ulong.MaxValue : 0;

    public static void Cmovcc(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.OperandSize;
        // The source is read (and may fault) whether or not the condition holds; a 32-bit
        // destination is zero-extended either way.
        ulong value = cpu.ReadOperand(ref op, 1, size);
        Register dst = op.I.Op0Register;
        cpu.WriteGpr(dst, cpu.Condition(op.Condition) ? value : cpu.ReadGpr(dst));
    }

    public static void Setcc(X86Cpu cpu, ref DecodedOp op) => cpu.WriteOperand(ref op, 0, 1, cpu.Condition(op.Condition) ? 1UL : 0);

    public static void Lahf(X86Cpu cpu, ref DecodedOp op)
    {
        ulong ah = cpu.GetRflags() & 0xD7 | 2;
        cpu.Rax = (cpu.Rax & ~0xFF00UL) | (ah << 8);
    }

    public static void Sahf(X86Cpu cpu, ref DecodedOp op)
    {
        ulong mask = X86Cpu.FlagSf | X86Cpu.FlagZf | X86Cpu.FlagAf | X86Cpu.FlagPf | X86Cpu.FlagCf;
        cpu.UpdateArithmeticFlags(mask, (cpu.Rax >> 8) & mask);
    }

    public static void Xlatb(X86Cpu cpu, ref DecodedOp op)
    {
        ulong offset = (cpu.Rbx + (cpu.Rax & 0xFF)) & op.AddressMask;
        byte value = cpu.Read8(cpu.Linear(op.Segment, offset, 1, MemoryAccess.Read));
        cpu.Rax = (cpu.Rax & ~0xFFUL) | value;
    }

    // NOP, PAUSE, the fences, PREFETCHh, ENDBR and CLFLUSH share this handler. The multi-byte NOP and
    // the prefetches never touch or fault on their operand (SDM NOP, PREFETCHh); CLFLUSH is checked like
    // a one-byte read, "#PF(fault-code) For a page fault" (SDM CLFLUSH): translated, without reading it
    // (a device must not see a read).
    public static void Nop(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Clflush)
            Clflush(cpu, ref op);
    }

    public static void Clflush(X86Cpu cpu, ref DecodedOp op) => cpu.HostPointer(cpu.MemoryAddress(ref op, 1, MemoryAccess.Read), MemoryAccess.Read);

    public static void InvalidOpcode(X86Cpu cpu, ref DecodedOp op) => throw cpu.Fault(ExceptionVector.InvalidOpcode);

    /// <summary>Anything this CPU does not implement: #UD in the guest, counted (never a VMM failure).</summary>
    public static void NotImplemented(X86Cpu cpu, ref DecodedOp op) => throw cpu.Unimplemented(in op.I);
}
