namespace Emu.Core.Acpi;

/// <summary>
/// How the board wires PCI INTx on bus 0, shared by the DSDT's _PRT and the
/// board's <c>PciBus.IntxRouting</c> so the two cannot disagree.
///
/// Each slot's four pins go straight to IOAPIC inputs 16-23 (no PIRQ
/// router or interrupt link devices: the _PRT names GSIs directly, which
/// ACPI defines as level-triggered, active-low, shareable). The lines rotate
/// with the slot number, the usual swizzle, spread over eight lines instead
/// of four: GSI = 16 + (slot + pin - 1) mod 8, with pin 1..4 for INTA#..INTD#
/// (the Interrupt Pin register's encoding). So INTA# of slots 0..7 lands on
/// GSIs 16..23, and a multi-function device's pins land on different lines.
/// </summary>
public static class PciIntxRouting
{
    public const int FirstGsi = 16;
    public const int LineCount = 8;
    public const int SlotCount = 32;

    /// <summary>The GSI (IOAPIC pin) that pin <paramref name="pin"/> (1 = INTA# .. 4 = INTD#) of <paramref name="slot"/> drives.</summary>
    public static int Gsi(int slot, int pin)
    {
        if ((uint)slot >= SlotCount)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "PCI slots are 0-31");
        if (pin is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(pin), pin, "INTx pins are 1 (INTA#) to 4 (INTD#)");
        return FirstGsi + (slot + pin - 1) % LineCount;
    }
}
