using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// LDMXCSR, STMXCSR, FXSAVE and FXRSTOR (Intel SDM vol. 2 and vol. 1,
/// 10.5.1): the 512-byte legacy image in its 64-bit (REX.W: 64-bit FPU
/// instruction and data pointers) and 32-bit (offsets and selectors) forms.
/// </summary>
internal static class SseStateOps
{
    public static void Ldmxcsr(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        uint value = (uint)cpu.Read(cpu.MemoryAddress(ref op, 4, MemoryAccess.Read), 4);
        if ((value & ~FpuState.MxcsrMask) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        cpu.Fpu.Mxcsr = value;
    }

    public static void Stmxcsr(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        cpu.Write(cpu.MemoryAddress(ref op, 4, MemoryAccess.Write), 4, cpu.Fpu.Mxcsr);
    }

    // FXSAVE/FXRSTOR: #NM with CR0.TS or CR0.EM; #GP(0) unless the image is 16-byte aligned.
    private static ulong ImageAddress(X86Cpu cpu, ref DecodedOp op, MemoryAccess access)
    {
        if ((cpu.Cr0 & (X86Cpu.Cr0Em | X86Cpu.Cr0Ts)) != 0)
            throw cpu.Fault(ExceptionVector.DeviceNotAvailable);
        ulong linear = cpu.MemoryAddress(ref op, 512, access);
        if ((linear & 15) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        return linear;
    }

    public static void Fxsave(X86Cpu cpu, ref DecodedOp op)
    {
        ulong a = ImageAddress(cpu, ref op, MemoryAccess.Write);
        // The whole image is checked for writing before any of it is written.
        cpu.ProbeWrite(a);
        cpu.ProbeWrite(a + 511);
        FpuState f = cpu.Fpu;
        bool wide = op.I.Code == Code.Fxsave64_m512byte;
        cpu.Write(a, 8, f.ControlWord | ((ulong)f.StatusWord << 16) | ((ulong)f.TagByte << 32) | ((ulong)(f.LastOpcode & 0x7FF) << 48));
        if (wide)
        {
            cpu.Write(a + 8, 8, f.LastInstructionPointer);
            cpu.Write(a + 16, 8, f.LastDataPointer);
        }
        else
        {
            cpu.Write(a + 8, 8, (uint)f.LastInstructionPointer | ((ulong)f.LastCodeSelector << 32));
            cpu.Write(a + 16, 8, (uint)f.LastDataPointer | ((ulong)f.LastDataSelector << 32));
        }
        cpu.Write(a + 24, 8, f.Mxcsr | ((ulong)FpuState.MxcsrMask << 32));
        // ST0..ST7 in stack order, 16 bytes apart.
        for (int i = 0; i < 8; i++)
        {
            int p = f.Physical(i);
            ulong slot = a + 32 + (ulong)i * 16;
            cpu.Write(slot, 8, f.Mantissa[p]);
            cpu.Write(slot + 8, 8, f.SignExponent[p]); // and six zero bytes of padding
        }
        // XMM0..XMM15 in 64-bit mode, XMM0..XMM7 elsewhere; bytes 464..511 are left to software.
        int count = cpu.CodeBits == 64 ? 16 : 8;
        for (int i = 0; i < count; i++)
        {
            ulong slot = a + 160 + (ulong)i * 16;
            cpu.Write(slot, 8, f.XmmLow(i));
            cpu.Write(slot + 8, 8, f.XmmHigh(i));
        }
    }

    public static void Fxrstor(X86Cpu cpu, ref DecodedOp op)
    {
        ulong a = ImageAddress(cpu, ref op, MemoryAccess.Read);
        FpuState f = cpu.Fpu;
        bool wide = op.I.Code == Code.Fxrstor64_m512byte;
        // Everything is read (and may fault) before anything changes.
        ulong header = cpu.Read(a, 8);
        ulong ip = cpu.Read(a + 8, 8);
        ulong dp = cpu.Read(a + 16, 8);
        uint mxcsr = (uint)cpu.Read(a + 24, 4);
        if ((mxcsr & ~FpuState.MxcsrMask) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        Span<ulong> st = stackalloc ulong[16];
        for (int i = 0; i < 8; i++)
        {
            ulong slot = a + 32 + (ulong)i * 16;
            st[2 * i] = cpu.Read(slot, 8);
            st[2 * i + 1] = cpu.Read(slot + 8, 2);
        }
        int count = cpu.CodeBits == 64 ? 16 : 8;
        Span<ulong> xmm = stackalloc ulong[32];
        for (int i = 0; i < count; i++)
        {
            ulong slot = a + 160 + (ulong)i * 16;
            xmm[2 * i] = cpu.Read(slot, 8);
            xmm[2 * i + 1] = cpu.Read(slot + 8, 8);
        }

        f.ControlWord = X87ControlOps.ValidControlWord((ushort)header);
        f.StatusWord = (ushort)(header >> 16);
        f.TagByte = (byte)(header >> 32);
        f.LastOpcode = (ushort)((header >> 48) & 0x7FF);
        if (wide)
        {
            f.LastInstructionPointer = ip;
            f.LastDataPointer = dp;
            f.LastCodeSelector = f.LastDataSelector = 0;
        }
        else
        {
            f.LastInstructionPointer = (uint)ip;
            f.LastCodeSelector = (ushort)(ip >> 32);
            f.LastDataPointer = (uint)dp;
            f.LastDataSelector = (ushort)(dp >> 32);
        }
        f.Mxcsr = mxcsr;
        for (int i = 0; i < 8; i++)
        {
            int p = f.Physical(i);
            f.Mantissa[p] = st[2 * i];
            f.SignExponent[p] = (ushort)st[2 * i + 1];
        }
        for (int i = 0; i < 2 * count; i++)
            f.Xmm[i] = xmm[i];
        // An exception flag left unmasked is pending: it traps at the next waiting x87 instruction.
        f.UpdateSummary();
    }
}
