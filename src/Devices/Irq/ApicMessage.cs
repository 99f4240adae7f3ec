namespace Emu.Devices.Irq;

/// <summary>
/// An interrupt message on the APIC bus (the system bus since the Pentium 4):
/// what an ICR write, an IOAPIC redirection entry or an MSI asks for.
/// <see cref="Destination"/> is 8 bits wide in xAPIC format (the IOAPIC, MSIs,
/// an xAPIC's ICR) and 32 bits in x2APIC format (an x2APIC's ICR), where the
/// broadcast is 0xFFFFFFFF instead of 0xFF.
/// </summary>
public readonly record struct ApicMessage(
    ApicDeliveryMode DeliveryMode,
    byte Vector,
    uint Destination,
    bool LogicalDestination = false,
    bool LevelTriggered = false,
    ApicShorthand Shorthand = ApicShorthand.None,
    bool X2ApicFormat = false,
    bool RedirectionHint = false,
    bool Assert = true)
{
    /// <summary>The physical broadcast destination of the message's format.</summary>
    public uint Broadcast => X2ApicFormat ? 0xFFFF_FFFFu : 0xFFu;

    /// <summary>Whether one processor among the targets gets it rather than all of them (lowest priority, or an MSI's redirection hint).</summary>
    public bool ToOneTarget =>
        DeliveryMode == ApicDeliveryMode.LowestPriority ||
        (RedirectionHint && DeliveryMode == ApicDeliveryMode.Fixed);
}
