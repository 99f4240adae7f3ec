using Emu.Core.Cpu;

namespace Emu.Core.Boot;

/// <summary>
/// The boot CPU's state at a kernel's entry point, with the GDT that matches
/// its segment registers (for the guest to find at <see cref="GdtAddress"/>
/// if it reloads a selector before installing its own table).
/// </summary>
public sealed class BootCpuState
{
    // Selectors of the boot GDT: the values Linux's boot protocol names
    // __BOOT_CS and __BOOT_DS, and a TSS after them.
    public const ushort CodeSelector = 0x10, DataSelector = 0x18, TssSelector = 0x20;
    public const int GdtSize = 0x30;

    private const ulong Cr0ProtectionEnable = 1 << 0, Cr0ExtensionType = 1 << 4, Cr0NumericError = 1 << 5, Cr0Paging = 1UL << 31;
    private const ulong Cr4Pae = 1 << 5;
    private const ulong EferLme = 1 << 8, EferLma = 1 << 10;
    private const ulong RflagsReserved = 1 << 1;

    /// <summary>IA32_MTRR_DEF_TYPE as firmware leaves it: MTRRs enabled, memory write-back unless a range says otherwise.</summary>
    private const ulong MtrrEnabledWriteBack = (1 << 11) | 6;

    private BootCpuState(X86Registers registers, X86SpecialRegisters special, ulong gdtAddress, byte[] gdt)
    {
        Registers = registers;
        SpecialRegisters = special;
        GdtAddress = gdtAddress;
        Gdt = gdt;
    }

    public X86Registers Registers { get; }

    /// <summary>Segments, descriptor tables, CR0, CR3, CR4 and EFER; the APIC base and CR8 are left as the vCPU has them.</summary>
    public X86SpecialRegisters SpecialRegisters { get; }

    public ulong GdtAddress { get; }

    public byte[] Gdt { get; }

    /// <summary>MSRs firmware sets up the same way on every CPU before it starts an OS.</summary>
    public static IReadOnlyList<X86Msr> FirmwareMsrs { get; } = new[] { new X86Msr(X86Msr.MtrrDefType, MtrrEnabledWriteBack) };

    /// <summary>
    /// Linux's 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"): long
    /// mode with paging on and an identity mapping, __BOOT_CS a flat 64-bit
    /// code segment, __BOOT_DS flat data in DS, ES, SS (and FS, GS),
    /// interrupts off, RSI = the boot_params address.
    /// </summary>
    public static BootCpuState Linux64(ulong entry, ulong bootParams, ulong pageTables, ulong gdtAddress, ulong stack)
    {
        X86Segment code = FlatSegment(CodeSelector, type: 0xB, longMode: true);
        X86Segment data = FlatSegment(DataSelector, type: 0x3, longMode: false);
        var special = new X86SpecialRegisters
        {
            Cs = code, Ds = data, Es = data, Fs = data, Gs = data, Ss = data,
            Tr = TaskSegment(),
            Ldt = NoLdt(),
            Gdt = new X86DescriptorTable { Base = gdtAddress, Limit = GdtSize - 1 },
            Idt = new X86DescriptorTable { Base = 0, Limit = 0 },
            Cr0 = Cr0ProtectionEnable | Cr0ExtensionType | Cr0NumericError | Cr0Paging,
            Cr3 = pageTables,
            Cr4 = Cr4Pae,
            Efer = EferLme | EferLma,
        };
        var registers = new X86Registers { Rip = entry, Rsi = bootParams, Rsp = stack, Rflags = RflagsReserved };
        return new BootCpuState(registers, special, gdtAddress, BuildGdt(special, longMode: true));
    }

    /// <summary>
    /// The PVH entry (xen/include/public/arch-x86/hvm/start_info.h and
    /// docs/misc/pvh.pandoc): 32-bit protected mode, paging off, CR0 = PE
    /// (plus the hard-wired ET), CR4 = 0, flat 32-bit code and data segments,
    /// a 32-bit TSS, EFLAGS.IF clear, EBX = the hvm_start_info address.
    /// </summary>
    public static BootCpuState Pvh32(uint entry, uint startInfo, ulong gdtAddress, ulong stack)
    {
        X86Segment code = FlatSegment(CodeSelector, type: 0xB, longMode: false);
        X86Segment data = FlatSegment(DataSelector, type: 0x3, longMode: false);
        var special = new X86SpecialRegisters
        {
            Cs = code, Ds = data, Es = data, Fs = data, Gs = data, Ss = data,
            Tr = TaskSegment(),
            Ldt = NoLdt(),
            Gdt = new X86DescriptorTable { Base = gdtAddress, Limit = GdtSize - 1 },
            Idt = new X86DescriptorTable { Base = 0, Limit = 0 },
            Cr0 = Cr0ProtectionEnable | Cr0ExtensionType,
            Cr3 = 0,
            Cr4 = 0,
            Efer = 0,
        };
        var registers = new X86Registers { Rip = entry, Rbx = startInfo, Rsp = stack, Rflags = RflagsReserved };
        return new BootCpuState(registers, special, gdtAddress, BuildGdt(special, longMode: false));
    }

    /// <summary>
    /// The Multiboot entry (specification 0.6.96, 3.2 "Machine state"): 32-bit
    /// protected mode, paging off, flat 4 GiB code and data segments,
    /// interrupts off, EAX = 0x2BADB002, EBX = the information structure.
    /// ESP is undefined there; it points at the boot stack here.
    /// </summary>
    public static BootCpuState Multiboot32(uint entry, uint info, ulong gdtAddress, ulong stack)
    {
        BootCpuState pvh = Pvh32(entry, info, gdtAddress, stack);
        X86Registers registers = pvh.Registers;
        registers.Rax = MultibootKernel.BootloaderMagic;
        return new BootCpuState(registers, pvh.SpecialRegisters, gdtAddress, pvh.Gdt);
    }

    /// <summary>Puts this state into a vCPU (after its reset), keeping the vCPU's APIC base.</summary>
    public void ApplyTo(IVcpu vcpu)
    {
        X86SpecialRegisters s = vcpu.GetSpecialRegisters();
        X86SpecialRegisters b = SpecialRegisters;
        s.Cs = b.Cs; s.Ds = b.Ds; s.Es = b.Es; s.Fs = b.Fs; s.Gs = b.Gs; s.Ss = b.Ss;
        s.Tr = b.Tr; s.Ldt = b.Ldt; s.Gdt = b.Gdt; s.Idt = b.Idt;
        s.Cr0 = b.Cr0; s.Cr2 = 0; s.Cr3 = b.Cr3; s.Cr4 = b.Cr4; s.Efer = b.Efer;
        vcpu.SetSpecialRegisters(s);
        vcpu.SetRegisters(Registers);
        SetFirmwareMsrs(vcpu);
    }

    /// <summary>
    /// What firmware leaves in every CPU's MSRs (application processors too:
    /// Linux checks that all CPUs agree on their MTRRs).
    /// </summary>
    public static void SetFirmwareMsrs(IVcpu vcpu)
    {
        X86Msr[] msrs = FirmwareMsrs.ToArray();
        int written = vcpu.SetMsrs(msrs);
        if (written != msrs.Length)
            throw new InvalidOperationException($"vcpu{vcpu.Index}: the accelerator refused MSR 0x{msrs[written].Index:x}");
    }

    // 4 GiB flat: base 0, limit 0xFFFFF pages, present, DPL 0, accessed.
    private static X86Segment FlatSegment(ushort selector, byte type, bool longMode) => new()
    {
        Base = 0,
        Limit = 0xFFFF_FFFF,
        Selector = selector,
        Type = type,
        Present = true,
        Dpl = 0,
        CodeOrData = true,
        Long = longMode,
        DefaultBig = !longMode,
        Granularity = true,
    };

    // A busy TSS (type 11: 32-bit busy, or 64-bit busy in long mode) of the
    // minimum size, which hardware requires TR to hold. The guest loads its own.
    private static X86Segment TaskSegment() => new()
    {
        Base = 0,
        Limit = 0x67,
        Selector = TssSelector,
        Type = 0xB,
        Present = true,
    };

    private static X86Segment NoLdt() => new() { Type = 0x2, Present = true, Limit = 0xFFFF, Unusable = true };

    private static byte[] BuildGdt(in X86SpecialRegisters s, bool longMode)
    {
        byte[] gdt = new byte[GdtSize];
        SegmentDescriptor.Write(gdt, s.Cs);
        SegmentDescriptor.Write(gdt, s.Ds);
        // In the GDT the TSS is available (type 9); TR holds it busy, as after LTR.
        X86Segment tss = s.Tr;
        tss.Type = 0x9;
        SegmentDescriptor.Write(gdt, tss, longModeSystem: longMode);
        return gdt;
    }
}
