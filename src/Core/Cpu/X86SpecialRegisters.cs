namespace Emu.Core.Cpu;

/// <summary>Segment, descriptor-table and control registers of an x86-64 vCPU.</summary>
public struct X86SpecialRegisters
{
    public X86Segment Cs, Ds, Es, Fs, Gs, Ss, Tr, Ldt;
    public X86DescriptorTable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8;
    public ulong Efer;
    public ulong ApicBase;

    /// <summary>CPL is the DPL of SS (the low bits of CS in real mode are meaningless).</summary>
    public readonly int CurrentPrivilegeLevel => Ss.Dpl;

    /// <summary>EFER.LMA and CS.L: executing 64-bit code.</summary>
    public readonly bool IsLongMode64 => (Efer & (1 << 10)) != 0 && Cs.Long;

    public readonly bool IsProtectedMode => (Cr0 & 1) != 0;
}
