namespace Emu.Core.Acpi;

/// <summary>
/// ACPI PCI hotplug on the root bus: a block of three 32-bit I/O registers
/// the VMM decodes, one bit per slot in each,
/// <list type="bullet">
/// <item>+0 PCIU (read): slots that received a device since the last read (the read clears it);</item>
/// <item>+4 PCID (read): slots whose device the VMM asks the OS to release;</item>
/// <item>+8 PCEJ (write): slots whose device the OS has released (its _EJ0).</item>
/// </list>
/// and a general-purpose event the VMM raises after changing PCIU or PCID.
/// The DSDT describes each slot as a device with _ADR, _SUN and _EJ0, and
/// the GPE's _Exx method notifies the slots (see <see cref="PciHotplugAml"/>).
/// </summary>
public sealed record AcpiPciHotplug
{
    public const int RegisterBlockSize = 12;
    public const int InsertedOffset = 0, RemovalRequestedOffset = 4, EjectOffset = 8;

    /// <summary>First I/O port of the register block.</summary>
    public required ushort IoBase { get; init; }

    /// <summary>The GPE0 bit the VMM sets when a slot changes (0-63 in the ICH9's 64-bit GPE0 block).</summary>
    public required int GpeBit { get; init; }

    /// <summary>The slots (1-31) whose devices may come and go.</summary>
    public required IReadOnlyList<int> Slots { get; init; }
}
