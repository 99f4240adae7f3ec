namespace Emu.Devices.Irq;

/// <summary>
/// The delivery mode of an interrupt message (bits 10:8 of the ICR, of an
/// LVT entry, of an IOAPIC redirection entry and of MSI data; Intel SDM vol.
/// 3A, 11.6.1 and 11.11.2). 3 is reserved everywhere; Startup exists only in
/// the ICR and ExtINT only in the LVT, the IOAPIC and MSIs.
/// </summary>
public enum ApicDeliveryMode : byte
{
    Fixed = 0,
    LowestPriority = 1,
    Smi = 2,
    Reserved3 = 3,
    Nmi = 4,
    Init = 5,
    Startup = 6,
    ExtInt = 7,
}
