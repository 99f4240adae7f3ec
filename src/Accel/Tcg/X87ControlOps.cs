using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// x87 control instructions (Intel SDM vol. 2 and vol. 1, 8.1.10 and 8.3.11):
/// FINIT, FCLEX, FLDCW, FSTCW, FSTSW, FSTENV, FLDENV, FSAVE, FRSTOR, FFREE,
/// FINCSTP, FDECSTP, FNOP. The FN forms do not wait: they run with an
/// unmasked exception pending; the others (Iced decodes them with their
/// WAIT prefix) report it first, FLDCW, FLDENV and FRSTOR included (as the
/// reference hardware does). An exception flag that a loaded control or
/// status word leaves unmasked traps at the next waiting instruction.
/// </summary>
internal static class X87ControlOps
{
    public static void Finit(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Finit)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        cpu.Fpu.InitX87();
    }

    /// <summary>FCLEX: clears the exception flags, SF, ES and B.</summary>
    public static void Fclex(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Fclex)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        cpu.Fpu.StatusWord &= unchecked((ushort)~(FpuState.ExceptionFlags | FpuState.Sf | FpuState.Es | FpuState.Busy));
    }

    public static void Fstsw(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Fstsw)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        if (op.I.Op0Kind == OpKind.Register)
            cpu.WriteGpr(Register.AX, cpu.Fpu.StatusWord);
        else
            cpu.Write(cpu.MemoryAddress(ref op, 2, MemoryAccess.Write), 2, cpu.Fpu.StatusWord);
    }

    public static void Fstcw(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Fstcw)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        cpu.Write(cpu.MemoryAddress(ref op, 2, MemoryAccess.Write), 2, cpu.Fpu.ControlWord);
    }

    public static void Fldcw(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        ushort value = (ushort)cpu.Read(cpu.MemoryAddress(ref op, 2, MemoryAccess.Read), 2);
        cpu.Fpu.ControlWord = ValidControlWord(value);
        cpu.Fpu.UpdateSummary();
    }

    /// <summary>
    /// The control word as loaded: bits 15:13 and 7 are reserved (read as 0),
    /// bit 6 reads as 1; bit 12 (the 287's infinity control) is kept (SDM vol. 1, 8.1.5).
    /// </summary>
    public static ushort ValidControlWord(ushort value) => (ushort)((value & 0x1F3F) | 0x40);

    /// <summary>FSTENV stores the environment, then masks every exception.</summary>
    public static void Fstenv(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Fstenv)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Write);
        cpu.ProbeWrite(linear + (ulong)op.MemorySize - 1);
        StoreEnvironment(cpu, linear, op.MemorySize == 28);
        cpu.Fpu.ControlWord |= FpuState.ExceptionFlags;
        cpu.Fpu.UpdateSummary();
    }

    public static void Fldenv(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read);
        LoadEnvironment(cpu, linear, op.MemorySize == 28);
        cpu.Fpu.UpdateSummary();
    }

    /// <summary>FSAVE stores the environment and the eight registers (ST order), then initializes the FPU as FNINIT does.</summary>
    public static void Fsave(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic == Mnemonic.Fsave)
            X87Checks.Wait(cpu);
        else
            X87Checks.NoWait(cpu);
        bool wide = op.MemorySize == 108;
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Write);
        cpu.ProbeWrite(linear);
        cpu.ProbeWrite(linear + (ulong)op.MemorySize - 1);
        StoreEnvironment(cpu, linear, wide);
        FpuState f = cpu.Fpu;
        ulong registers = linear + (wide ? 28UL : 14UL);
        for (int i = 0; i < 8; i++)
        {
            Float80 v = f.Read(i);
            cpu.Write(registers + (ulong)i * 10, 8, v.Significand);
            cpu.Write(registers + (ulong)i * 10 + 8, 2, v.SignExponent);
        }
        f.InitX87();
    }

    public static void Frstor(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        bool wide = op.MemorySize == 108;
        ulong linear = cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read);
        ulong registers = linear + (wide ? 28UL : 14UL);
        Span<ulong> significands = stackalloc ulong[8];
        Span<ushort> exponents = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            significands[i] = cpu.Read(registers + (ulong)i * 10, 8);
            exponents[i] = (ushort)cpu.Read(registers + (ulong)i * 10 + 8, 2);
        }
        LoadEnvironment(cpu, linear, wide);
        FpuState f = cpu.Fpu;
        for (int i = 0; i < 8; i++)
        {
            int p = f.Physical(i);
            f.Mantissa[p] = significands[i];
            f.SignExponent[p] = exponents[i];
        }
        f.UpdateSummary();
    }

    /// <summary>
    /// The 14- or 28-byte environment (SDM vol. 1, figures 8-9 to 8-12): the
    /// protected-mode layout outside real and virtual-8086 mode (in 64-bit
    /// mode too, with 32-bit pointers), else the real-mode one with 20-bit
    /// linear pointers and FOP. Reserved halves are written as ones.
    /// </summary>
    private static void StoreEnvironment(X86Cpu cpu, ulong a, bool wide)
    {
        FpuState f = cpu.Fpu;
        ushort tags = f.FullTagWord();
        bool protectedLayout = cpu.ProtectedMode && !cpu.Virtual8086;
        if (wide)
        {
            cpu.Write(a, 4, 0xFFFF_0000u | f.ControlWord);
            cpu.Write(a + 4, 4, 0xFFFF_0000u | f.StatusWord);
            cpu.Write(a + 8, 4, 0xFFFF_0000u | tags);
            if (protectedLayout)
            {
                cpu.Write(a + 12, 4, (uint)f.LastInstructionPointer);
                cpu.Write(a + 16, 4, f.LastCodeSelector | ((uint)(f.LastOpcode & 0x7FF) << 16));
                cpu.Write(a + 20, 4, (uint)f.LastDataPointer);
                cpu.Write(a + 24, 4, 0xFFFF_0000u | f.LastDataSelector);
            }
            else
            {
                uint ip = RealLinear(f.LastCodeSelector, f.LastInstructionPointer), dp = RealLinear(f.LastDataSelector, f.LastDataPointer);
                cpu.Write(a + 12, 4, 0xFFFF_0000u | (ip & 0xFFFF));
                cpu.Write(a + 16, 4, ((ip >> 16) << 12) | (uint)(f.LastOpcode & 0x7FF));
                cpu.Write(a + 20, 4, 0xFFFF_0000u | (dp & 0xFFFF));
                cpu.Write(a + 24, 4, (dp >> 16) << 12);
            }
            return;
        }
        cpu.Write(a, 2, f.ControlWord);
        cpu.Write(a + 2, 2, f.StatusWord);
        cpu.Write(a + 4, 2, tags);
        if (protectedLayout)
        {
            cpu.Write(a + 6, 2, (ushort)f.LastInstructionPointer);
            cpu.Write(a + 8, 2, f.LastCodeSelector);
            cpu.Write(a + 10, 2, (ushort)f.LastDataPointer);
            cpu.Write(a + 12, 2, f.LastDataSelector);
        }
        else
        {
            uint ip = RealLinear(f.LastCodeSelector, f.LastInstructionPointer), dp = RealLinear(f.LastDataSelector, f.LastDataPointer);
            cpu.Write(a + 6, 2, (ushort)ip);
            cpu.Write(a + 8, 2, (((ip >> 16) & 0xF) << 12) | (uint)(f.LastOpcode & 0x7FF));
            cpu.Write(a + 10, 2, (ushort)dp);
            cpu.Write(a + 12, 2, ((dp >> 16) & 0xF) << 12);
        }
    }

    private static uint RealLinear(ushort selector, ulong offset) => (uint)(((ulong)selector << 4) + (offset & 0xFFFF));

    private static void LoadEnvironment(X86Cpu cpu, ulong a, bool wide)
    {
        FpuState f = cpu.Fpu;
        bool protectedLayout = cpu.ProtectedMode && !cpu.Virtual8086;
        ushort control, status, tags;
        ulong ip, dp;
        ushort cs = 0, ds = 0, opcode;
        if (wide)
        {
            control = (ushort)cpu.Read(a, 2);
            status = (ushort)cpu.Read(a + 4, 2);
            tags = (ushort)cpu.Read(a + 8, 2);
            uint w3 = (uint)cpu.Read(a + 12, 4), w4 = (uint)cpu.Read(a + 16, 4), w5 = (uint)cpu.Read(a + 20, 4), w6 = (uint)cpu.Read(a + 24, 4);
            if (protectedLayout)
            {
                ip = w3;
                cs = (ushort)w4;
                opcode = (ushort)((w4 >> 16) & 0x7FF);
                dp = w5;
                ds = (ushort)w6;
            }
            else
            {
                ip = (w3 & 0xFFFF) | ((w4 >> 12) << 16);
                opcode = (ushort)(w4 & 0x7FF);
                dp = (w5 & 0xFFFF) | ((w6 >> 12) << 16);
            }
        }
        else
        {
            control = (ushort)cpu.Read(a, 2);
            status = (ushort)cpu.Read(a + 2, 2);
            tags = (ushort)cpu.Read(a + 4, 2);
            uint w3 = (uint)cpu.Read(a + 6, 2), w4 = (uint)cpu.Read(a + 8, 2), w5 = (uint)cpu.Read(a + 10, 2), w6 = (uint)cpu.Read(a + 12, 2);
            if (protectedLayout)
            {
                ip = w3;
                cs = (ushort)w4;
                opcode = f.LastOpcode;
                dp = w5;
                ds = (ushort)w6;
            }
            else
            {
                ip = w3 | ((w4 >> 12) << 16);
                opcode = (ushort)(w4 & 0x7FF);
                dp = w5 | ((w6 >> 12) << 16);
            }
        }
        f.ControlWord = ValidControlWord(control);
        f.StatusWord = status;
        f.LoadFullTagWord(tags);
        f.LastInstructionPointer = ip;
        f.LastDataPointer = dp;
        f.LastCodeSelector = cs;
        f.LastDataSelector = ds;
        f.LastOpcode = opcode;
    }

    /// <summary>FFREE: ST(i) tagged empty; C0-C3 are undefined, C1 is cleared (as the reference hardware does).</summary>
    public static void Ffree(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        cpu.Fpu.SetEmpty(X87Unit.StIndex(ref op, 0));
        cpu.Fpu.StatusWord &= unchecked((ushort)~FpuState.C1);
    }

    /// <summary>FFREEP (DF C0+i): FFREE, then pop.</summary>
    public static void Ffreep(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        cpu.Fpu.SetEmpty(X87Unit.StIndex(ref op, 0));
        cpu.Fpu.Pop();
        cpu.Fpu.StatusWord &= unchecked((ushort)~FpuState.C1);
    }

    public static void Fincstp(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        FpuState f = cpu.Fpu;
        f.Top++;
        f.StatusWord &= unchecked((ushort)~FpuState.C1);
    }

    public static void Fdecstp(X86Cpu cpu, ref DecodedOp op)
    {
        X87Checks.Wait(cpu);
        FpuState f = cpu.Fpu;
        f.Top--;
        f.StatusWord &= unchecked((ushort)~FpuState.C1);
    }

    /// <summary>FNOP, and the 8087/80287 FENI, FDISI and FSETPM, which later FPUs execute as no-ops.</summary>
    public static void Fnop(X86Cpu cpu, ref DecodedOp op)
    {
        if (op.I.Mnemonic is Mnemonic.Fneni or Mnemonic.Fndisi or Mnemonic.Fnsetpm)
            X87Checks.NoWait(cpu);
        else
            X87Checks.Wait(cpu);
    }
}
