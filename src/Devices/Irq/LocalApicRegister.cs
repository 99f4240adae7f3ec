namespace Emu.Devices.Irq;

/// <summary>
/// Offsets of the local APIC registers in the xAPIC page (Intel SDM vol. 3A,
/// table 11-1); x2APIC MSR = 0x800 + offset / 16 (table 11-6).
/// </summary>
public static class LocalApicRegister
{
    public const uint Id = 0x020;
    public const uint Version = 0x030;
    public const uint TaskPriority = 0x080;
    public const uint ArbitrationPriority = 0x090;
    public const uint ProcessorPriority = 0x0A0;
    public const uint Eoi = 0x0B0;
    public const uint RemoteRead = 0x0C0;
    public const uint LogicalDestination = 0x0D0;
    public const uint DestinationFormat = 0x0E0;
    public const uint SpuriousVector = 0x0F0;
    public const uint InService = 0x100;
    public const uint TriggerMode = 0x180;
    public const uint InterruptRequest = 0x200;
    public const uint ErrorStatus = 0x280;
    public const uint LvtCmci = 0x2F0;
    public const uint InterruptCommandLow = 0x300;
    public const uint InterruptCommandHigh = 0x310;
    public const uint LvtTimer = 0x320;
    public const uint LvtThermal = 0x330;
    public const uint LvtPerformance = 0x340;
    public const uint LvtLint0 = 0x350;
    public const uint LvtLint1 = 0x360;
    public const uint LvtError = 0x370;
    public const uint InitialCount = 0x380;
    public const uint CurrentCount = 0x390;
    public const uint DivideConfiguration = 0x3E0;
    public const uint SelfIpi = 0x3F0;

    public const uint X2ApicMsrBase = 0x800;
    public const uint X2ApicMsrLast = 0x8FF;
    public const uint X2ApicIcrMsr = 0x830;
    public const uint X2ApicSelfIpiMsr = 0x83F;

    /// <summary>ESR bits (11.5.3).</summary>
    public const uint ErrorSendIllegalVector = 1 << 5, ErrorReceiveIllegalVector = 1 << 6, ErrorIllegalRegister = 1 << 7;
}
