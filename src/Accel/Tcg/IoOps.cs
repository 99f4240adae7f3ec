using System.Buffers.Binary;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// IN and OUT, and the port checks every I/O instruction makes: above IOPL
/// (and in virtual-8086 mode) each byte of the access must be allowed by the
/// TSS's I/O permission bitmap (Intel SDM vol. 1, 19.5). The ports are the
/// machine's I/O address space, dispatched straight to the device handlers.
/// </summary>
internal static class IoOps
{
    public static void In(X86Cpu cpu, ref DecodedOp op)
    {
        Register destination = op.I.Op0Register;
        int size = RegisterInfo.Size(destination);
        ushort port = op.I.Op1Kind == OpKind.Register ? (ushort)cpu.Rdx : op.I.Immediate8;
        CheckPortAccess(cpu, port, size);
        cpu.WriteGpr(destination, PortRead(cpu, port, size));
        StopIfExitRequested(cpu);
    }

    public static void Out(X86Cpu cpu, ref DecodedOp op)
    {
        Register source = op.I.Op1Register;
        int size = RegisterInfo.Size(source);
        ushort port = op.I.Op0Kind == OpKind.Register ? (ushort)cpu.Rdx : op.I.Immediate8;
        CheckPortAccess(cpu, port, size);
        PortWrite(cpu, port, size, cpu.ReadGpr(source));
        StopIfExitRequested(cpu);
    }

    /// <summary>
    /// A device may have asked for the whole machine during the access (the reset
    /// control register at 0xCF9, the 8042's reset pulse, ACPI S5): the VMM then
    /// kicked this CPU too, and it must get the CPU back before the guest runs
    /// another instruction, as a KVM I/O exit returns to the VMM. Linux's
    /// reboot=pci writes 0xCF9 and, 50 us later, triple-faults on purpose; that
    /// fault must not come first.
    /// </summary>
    public static void StopIfExitRequested(X86Cpu cpu)
    {
        if (cpu.ExitRequested != 0)
            cpu.StopBlock = true;
    }

    public static void CheckPortAccess(X86Cpu cpu, ushort port, int size)
    {
        if (!cpu.ProtectedMode || (!cpu.Virtual8086 && cpu.Cpl <= cpu.Iopl))
            return;
        ref SegmentRegister tr = ref cpu.Tr;
        // Only a 32/64-bit TSS has a bitmap; its base is the word at offset 102.
        if ((tr.Type & 8) == 0 || tr.Limit < 103)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ulong bitmap = cpu.ReadSystem(tr.Base + 102, 2);
        ulong offset = bitmap + (ulong)(port >> 3);
        if (offset + 1 > tr.Limit)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
        ulong bits = cpu.ReadSystem(tr.Base + offset, 2);
        ulong mask = ((1UL << size) - 1) << (port & 7);
        if ((bits & mask) != 0)
            throw cpu.Fault(ExceptionVector.GeneralProtection, 0);
    }

    public static ulong PortRead(X86Cpu cpu, ushort port, int size)
    {
        Span<byte> data = stackalloc byte[4];
        data.Clear();
        cpu.Platform.Io!.Read(port, data[..size]);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    public static void PortWrite(X86Cpu cpu, ushort port, int size, ulong value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)value);
        cpu.Platform.Io!.Write(port, data[..size]);
    }
}
