namespace Emu.Accel.Tcg;

/// <summary>
/// MOVS, STOS, LODS, SCAS, CMPS, INS and OUTS, with REP/REPE/REPNE (Intel SDM
/// vol. 2). A repeated instruction runs a bounded number of iterations per
/// execution and then restarts itself, so interrupts are taken in the middle
/// of a long copy as on hardware; forward MOVS and STOS on RAM copy whole
/// page-sized chunks at once.
/// </summary>
internal static unsafe class StringOps
{
    private const int IterationsPerRun = 4096;

    private static ulong Step(X86Cpu cpu, int size) => cpu.Direction ? unchecked((ulong)-size) : (ulong)size;

    private static void AdvanceIndex(X86Cpu cpu, ref DecodedOp op, int register, ulong delta)
    {
        ref ulong r = ref cpu.Gpr(register);
        ulong value = (r + delta) & op.AddressMask;
        r = op.AddressSize == 2 ? (r & ~0xFFFFUL) | value : value;
    }

    private static ulong Counter(X86Cpu cpu, ref DecodedOp op) => cpu.Rcx & op.AddressMask;

    private static void SetCounter(X86Cpu cpu, ref DecodedOp op, ulong value) =>
        cpu.Rcx = op.AddressSize == 2 ? (cpu.Rcx & ~0xFFFFUL) | (value & 0xFFFF) : value & op.AddressMask;

    private static ulong Source(X86Cpu cpu, ref DecodedOp op, int size) =>
        cpu.Linear(op.Segment, cpu.Rsi & op.AddressMask, size, MemoryAccess.Read);

    private static ulong Destination(X86Cpu cpu, ref DecodedOp op, int size, MemoryAccess access) =>
        cpu.Linear(SegmentIndex.Es, cpu.Rdi & op.AddressMask, size, access);

    // Stops the block with the instruction to be run again (RCX left to do).
    private static void Continue(X86Cpu cpu)
    {
        cpu.Rip = cpu.InstructionStart;
        cpu.StopBlock = true;
    }

    public static void Movs(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        if (!op.I.HasRepPrefix && !op.I.HasRepePrefix)
        {
            cpu.Write(Destination(cpu, ref op, size, MemoryAccess.Write), size, cpu.Read(Source(cpu, ref op, size), size));
            AdvanceIndex(cpu, ref op, 6, Step(cpu, size));
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            return;
        }
        ulong count = Counter(cpu, ref op);
        int budget = IterationsPerRun;
        while (count != 0 && budget > 0)
        {
            if (!cpu.Direction && TryBulkCopy(cpu, ref op, size, ref count, ref budget))
                continue;
            cpu.Write(Destination(cpu, ref op, size, MemoryAccess.Write), size, cpu.Read(Source(cpu, ref op, size), size));
            AdvanceIndex(cpu, ref op, 6, Step(cpu, size));
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            SetCounter(cpu, ref op, --count);
            budget--;
        }
        if (count != 0)
            Continue(cpu);
    }

    // As many elements as fit before either pointer leaves its page, copied in one go (RAM only, no overlap issues:
    // a forward REP MOVS of overlapping buffers copies element by element, which memmove on a chunk that starts
    // at the lower address also does when the destination is below the source; the other overlap takes the slow path).
    private static bool TryBulkCopy(X86Cpu cpu, ref DecodedOp op, int size, ref ulong count, ref int budget)
    {
        ulong srcLinear = Source(cpu, ref op, size), dstLinear = Destination(cpu, ref op, size, MemoryAccess.Write);
        ulong inSrcPage = (0x1000 - (srcLinear & 0xFFF)) / (ulong)size, inDstPage = (0x1000 - (dstLinear & 0xFFF)) / (ulong)size;
        ulong n = Math.Min(Math.Min(inSrcPage, inDstPage), Math.Min(count, (ulong)budget));
        ulong offsetLimit = op.AddressMask;
        if (n < 2 || (cpu.Rsi & offsetLimit) + n * (ulong)size > offsetLimit || (cpu.Rdi & offsetLimit) + n * (ulong)size > offsetLimit)
            return false;
        if (cpu.CodeBits != 64 && !(cpu.FitsSegment(op.Segment, cpu.Rsi & offsetLimit, (int)(n * (ulong)size))
            && cpu.FitsSegment(SegmentIndex.Es, cpu.Rdi & offsetLimit, (int)(n * (ulong)size))))
            return false;
        byte* src = cpu.HostPointer(srcLinear, MemoryAccess.Read);
        byte* dst = src == null ? null : cpu.HostPointer(dstLinear, MemoryAccess.Write);
        if (src == null || dst == null)
            return false;
        int bytes = (int)(n * (ulong)size);
        if (dst > src && dst < src + bytes)
            return false;
        Buffer.MemoryCopy(src, dst, bytes, bytes);
        AdvanceIndex(cpu, ref op, 6, (ulong)bytes);
        AdvanceIndex(cpu, ref op, 7, (ulong)bytes);
        count -= n;
        SetCounter(cpu, ref op, count);
        budget -= (int)n;
        return true;
    }

    public static void Stos(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        ulong value = cpu.Rax & X86Cpu.SizeMask(size);
        if (!op.I.HasRepPrefix && !op.I.HasRepePrefix)
        {
            cpu.Write(Destination(cpu, ref op, size, MemoryAccess.Write), size, value);
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            return;
        }
        ulong count = Counter(cpu, ref op);
        int budget = IterationsPerRun;
        while (count != 0 && budget > 0)
        {
            if (!cpu.Direction && TryBulkFill(cpu, ref op, size, value, ref count, ref budget))
                continue;
            cpu.Write(Destination(cpu, ref op, size, MemoryAccess.Write), size, value);
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            SetCounter(cpu, ref op, --count);
            budget--;
        }
        if (count != 0)
            Continue(cpu);
    }

    private static bool TryBulkFill(X86Cpu cpu, ref DecodedOp op, int size, ulong value, ref ulong count, ref int budget)
    {
        ulong dstLinear = Destination(cpu, ref op, size, MemoryAccess.Write);
        ulong n = Math.Min((0x1000 - (dstLinear & 0xFFF)) / (ulong)size, Math.Min(count, (ulong)budget));
        if (n < 2 || (cpu.Rdi & op.AddressMask) + n * (ulong)size > op.AddressMask)
            return false;
        if (cpu.CodeBits != 64 && !cpu.FitsSegment(SegmentIndex.Es, cpu.Rdi & op.AddressMask, (int)(n * (ulong)size)))
            return false;
        byte* dst = cpu.HostPointer(dstLinear, MemoryAccess.Write);
        if (dst == null)
            return false;
        int elements = (int)n;
        switch (size)
        {
            case 1: new Span<byte>(dst, elements).Fill((byte)value); break;
            case 2: new Span<ushort>(dst, elements).Fill((ushort)value); break;
            case 4: new Span<uint>(dst, elements).Fill((uint)value); break;
            default: new Span<ulong>(dst, elements).Fill(value); break;
        }
        AdvanceIndex(cpu, ref op, 7, n * (ulong)size);
        count -= n;
        SetCounter(cpu, ref op, count);
        budget -= elements;
        return true;
    }

    public static void Lods(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        bool rep = op.I.HasRepPrefix || op.I.HasRepePrefix;
        ulong count = rep ? Counter(cpu, ref op) : 1;
        int budget = IterationsPerRun;
        while (count != 0 && budget-- > 0)
        {
            ulong value = cpu.Read(Source(cpu, ref op, size), size);
            WriteAccumulator(cpu, size, value);
            AdvanceIndex(cpu, ref op, 6, Step(cpu, size));
            count--;
            if (rep)
                SetCounter(cpu, ref op, count);
        }
        if (rep && count != 0)
            Continue(cpu);
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

    public static void Scas(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        ulong mask = X86Cpu.SizeMask(size);
        ulong accumulator = cpu.Rax & mask;
        bool repe = op.I.HasRepePrefix, repne = op.I.HasRepnePrefix;
        bool rep = repe || repne;
        ulong count = rep ? Counter(cpu, ref op) : 1;
        int budget = IterationsPerRun;
        while (count != 0 && budget-- > 0)
        {
            ulong value = cpu.Read(Destination(cpu, ref op, size, MemoryAccess.Read), size);
            cpu.SetFlags(FlagOp.Sub, size, accumulator, value, (accumulator - value) & mask);
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            count--;
            if (!rep)
                return;
            SetCounter(cpu, ref op, count);
            if (repe ? !cpu.Zf : cpu.Zf)
                return;
        }
        if (rep && count != 0)
            Continue(cpu);
    }

    public static void Cmps(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        ulong mask = X86Cpu.SizeMask(size);
        bool repe = op.I.HasRepePrefix, repne = op.I.HasRepnePrefix;
        bool rep = repe || repne;
        ulong count = rep ? Counter(cpu, ref op) : 1;
        int budget = IterationsPerRun;
        while (count != 0 && budget-- > 0)
        {
            ulong a = cpu.Read(Source(cpu, ref op, size), size);
            ulong b = cpu.Read(Destination(cpu, ref op, size, MemoryAccess.Read), size);
            cpu.SetFlags(FlagOp.Sub, size, a, b, (a - b) & mask);
            AdvanceIndex(cpu, ref op, 6, Step(cpu, size));
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            count--;
            if (!rep)
                return;
            SetCounter(cpu, ref op, count);
            if (repe ? !cpu.Zf : cpu.Zf)
                return;
        }
        if (rep && count != 0)
            Continue(cpu);
    }

    public static void Ins(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        ushort port = (ushort)cpu.Rdx;
        IoOps.CheckPortAccess(cpu, port, size);
        bool rep = op.I.HasRepPrefix || op.I.HasRepePrefix;
        ulong count = rep ? Counter(cpu, ref op) : 1;
        int budget = IterationsPerRun;
        while (count != 0 && budget-- > 0)
        {
            ulong linear = Destination(cpu, ref op, size, MemoryAccess.Write);
            cpu.ProbeWrite(linear);
            cpu.Write(linear, size, IoOps.PortRead(cpu, port, size));
            AdvanceIndex(cpu, ref op, 7, Step(cpu, size));
            count--;
            if (rep)
                SetCounter(cpu, ref op, count);
            if (cpu.ExitRequested != 0)
                break; // the VMM wants the CPU back (IoOps.StopIfExitRequested)
        }
        if (rep && count != 0)
            Continue(cpu);
        else
            IoOps.StopIfExitRequested(cpu);
    }

    public static void Outs(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.MemorySize;
        ushort port = (ushort)cpu.Rdx;
        IoOps.CheckPortAccess(cpu, port, size);
        bool rep = op.I.HasRepPrefix || op.I.HasRepePrefix;
        ulong count = rep ? Counter(cpu, ref op) : 1;
        int budget = IterationsPerRun;
        while (count != 0 && budget-- > 0)
        {
            IoOps.PortWrite(cpu, port, size, cpu.Read(Source(cpu, ref op, size), size));
            AdvanceIndex(cpu, ref op, 6, Step(cpu, size));
            count--;
            if (rep)
                SetCounter(cpu, ref op, count);
            if (cpu.ExitRequested != 0)
                break; // the VMM wants the CPU back (IoOps.StopIfExitRequested)
        }
        if (rep && count != 0)
            Continue(cpu);
        else
            IoOps.StopIfExitRequested(cpu);
    }
}
