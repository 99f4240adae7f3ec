using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_sregs2 (KVM_GET/SET_SREGS2): kvm_sregs without the pending
/// interrupt bitmap (the vCPU events carry it) and with the four PAE
/// page-directory pointers the CPU loaded, which may differ from what guest
/// memory holds now.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmSregs2
{
    /// <summary>KVM_SREGS2_FLAGS_PDPTRS_VALID: <see cref="Pdptrs"/> holds the loaded PDPTEs.</summary>
    public const ulong PdptrsValid = 1;

    public KvmSegment Cs, Ds, Es, Fs, Gs, Ss;
    public KvmSegment Tr, Ldt;
    public KvmDtable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8;
    public ulong Efer;
    public ulong ApicBase;
    public ulong Flags;
    public fixed ulong Pdptrs[4];
}
