namespace Emu.Devices.Irq;

/// <summary>The local APIC's state from IA32_APIC_BASE bits 11 (EN) and 10 (EXTD) (Intel SDM vol. 3A, 11.12.5, figure 11-27).</summary>
public enum LocalApicMode
{
    /// <summary>EN = 0: the processor behaves as if it had no APIC; LINT0 is INTR and LINT1 NMI.</summary>
    Disabled = 0,

    /// <summary>EN = 1, EXTD = 0: registers in the 4 KiB page at the base address.</summary>
    XApic = 1,

    /// <summary>EN = 1, EXTD = 1: registers are MSRs 0x800-0x8FF, 32-bit IDs.</summary>
    X2Apic = 2,
}
