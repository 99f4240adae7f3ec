namespace Emu.Core.Acpi;

/// <summary>
/// The AML of ACPI PCI hotplug on \_SB.PCI0 (see <see cref="AcpiPciHotplug"/>
/// for the registers). In ASL:
/// <code>
/// Scope (\_SB.PCI0) {
///     OperationRegion (PCHP, SystemIO, base, 12)
///     Field (PCHP, DWordAcc, NoLock, Preserve) { PCIU, 32, PCID, 32, PCEJ, 32 }
///     Method (PCNT, 0, Serialized) {
///         Local0 = PCIU; Local1 = PCID
///         If (Local0 &amp; (1 &lt;&lt; n)) { Notify (Snn, 1) }   // device check: scan the slot
///         If (Local1 &amp; (1 &lt;&lt; n)) { Notify (Snn, 3) }   // eject request
///         ...
///     }
///     Device (Snn) { Name (_ADR, n &lt;&lt; 16); Name (_SUN, n); Method (_EJ0, 1) { PCEJ = 1 &lt;&lt; n } }
/// }
/// Scope (\_GPE) { Method (_Exx) { \_SB.PCI0.PCNT () } }
/// </code>
/// Linux's acpiphp driver registers every slot device with _EJ0 as a
/// hotplug slot (/sys/bus/pci/slots/n), rescans it on a device check and on
/// an eject request removes the driver, then calls _EJ0.
/// </summary>
internal static class PciHotplugAml
{
    private const int DeviceCheck = 1, EjectRequest = 3;

    /// <summary>The register block, PCNT and one device per slot, for the body of \_SB.PCI0.</summary>
    public static IEnumerable<AmlNode> RootBridgeObjects(AcpiPciHotplug hotplug)
    {
        Validate(hotplug);
        yield return Aml.OperationRegion("PCHP", AmlRegionSpace.SystemIo, hotplug.IoBase, AcpiPciHotplug.RegisterBlockSize);
        yield return Aml.Field("PCHP", AmlFieldAccess.DWordAcc, ("PCIU", 32), ("PCID", 32), ("PCEJ", 32));
        var notify = new List<AmlNode>
        {
            Aml.Store(Aml.NamePath("PCIU"), Aml.Local(0)),
            Aml.Store(Aml.NamePath("PCID"), Aml.Local(1)),
        };
        foreach (int slot in hotplug.Slots)
        {
            notify.Add(Aml.If(Aml.And(Aml.Local(0), Aml.Integer(1UL << slot)), Aml.Notify(Aml.NamePath(SlotName(slot)), Aml.Integer(DeviceCheck))));
            notify.Add(Aml.If(Aml.And(Aml.Local(1), Aml.Integer(1UL << slot)), Aml.Notify(Aml.NamePath(SlotName(slot)), Aml.Integer(EjectRequest))));
        }
        yield return Aml.Method("PCNT", 0, true, notify.ToArray());
        foreach (int slot in hotplug.Slots)
            yield return Slot(slot);
    }

    /// <summary>\_GPE._Exx: the hotplug event runs PCNT. Edge-triggered: OSPM clears the status bit before it runs the method.</summary>
    public static AmlNode GpeScope(AcpiPciHotplug hotplug) =>
        Aml.Scope("\\_GPE",
            Aml.Method($"_E{hotplug.GpeBit:X2}", 0, false, Aml.Call("\\_SB.PCI0.PCNT")));

    public static string SlotName(int slot) => $"S{slot:X2}";

    private static AmlNode Slot(int slot) =>
        Aml.Device(SlotName(slot),
            Aml.Name("_ADR", Aml.Integer((ulong)slot << 16)),
            Aml.Name("_SUN", slot),
            Aml.Method("_EJ0", 1, false,
                Aml.Store(Aml.Integer(1UL << slot), Aml.NamePath("PCEJ"))));

    private static void Validate(AcpiPciHotplug hotplug)
    {
        if (hotplug.GpeBit is < 0 or > 0xFF)
            throw new ArgumentOutOfRangeException(nameof(hotplug), hotplug.GpeBit, "GPE number out of range");
        foreach (int slot in hotplug.Slots)
        {
            if (slot is < 1 or > 31)
                throw new ArgumentOutOfRangeException(nameof(hotplug), slot, "hotplug slots are 1 to 31 (slot 0 is the host bridge)");
        }
        if (hotplug.Slots.Distinct().Count() != hotplug.Slots.Count)
            throw new ArgumentException("a hotplug slot is listed twice", nameof(hotplug));
    }
}
