using System.Buffers.Binary;
using Emu.Core.Acpi;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Pci;

namespace Emu.Devices.Pc;

/// <summary>
/// ACPI PCI hotplug on the q35 root bus: the register block the DSDT's PCNT
/// and _EJ0 methods use (<see cref="AcpiPciHotplug"/>) and the GPE that
/// makes the OS run PCNT. device_add sets the slot's bit in PCIU and raises
/// the GPE: the OS rescans the slot. device_del sets it in PCID: the OS
/// unbinds the driver and writes the bit to PCEJ, and the device goes away.
/// A guest that never enabled ACPI (the built-in firmware) cannot be asked,
/// so an unplug then completes at once, and a reset completes every unplug
/// still waiting for the guest.
/// </summary>
public sealed partial class AcpiPciHotplugController : IHotplugController, IIoHandler
{
    /// <summary>The register block's I/O base (clear of the PCI I/O window at 0xC000, reserved in the DSDT).</summary>
    public const ushort IoBase = 0xAE00;

    /// <summary>GPE0 bit 1, the ICH9's hot-plug status bit.</summary>
    public const int GpeBit = 1;

    /// <summary>Slot 0 is the host bridge and 31 the LPC bridge; the rest may take hotplugged devices.</summary>
    public const int FirstSlot = 1, LastSlot = 30;

    private readonly object _lock = new();
    private readonly Machine _machine;
    private readonly Ich9PowerManagement _pm;
    private readonly Func<PciBus?> _bus;
    private uint _inserted, _removalRequested;
    private long _ignoredEjects;

    public AcpiPciHotplugController(Machine machine, Ich9PowerManagement pm, Func<PciBus?> bus)
    {
        _machine = machine;
        _pm = pm;
        _bus = bus;
    }

    /// <summary>Eject writes for slots without a hot-pluggable device (a confused or hostile guest).</summary>
    public long IgnoredEjects => Interlocked.Read(ref _ignoredEjects);

    /// <summary>Slots with a removal request the guest has not answered yet.</summary>
    public uint PendingRemovals
    {
        get
        {
            lock (_lock)
                return _removalRequested;
        }
    }

    /// <summary>What the DSDT describes: every slot that is not taken by a device of the board.</summary>
    public AcpiPciHotplug Describe()
    {
        PciBus? bus = _bus();
        var slots = new List<int>();
        for (int slot = FirstSlot; slot <= LastSlot; slot++)
        {
            PciDevice? present = bus?.Find(slot << 3);
            if (present == null || present.Type.UserCreatable)
                slots.Add(slot);
        }
        return new AcpiPciHotplug { IoBase = IoBase, GpeBit = GpeBit, Slots = slots };
    }

    /// <summary>Whether <paramref name="device"/> sits (or would sit) where this controller can plug and unplug it.</summary>
    public static bool Handles(Device device) => device is PciDevice && device.Type.UserCreatable;

    public string? CanPlug(Device device)
    {
        if (device is not PciDevice pci)
            return $"{device.Type.Name} is not a PCI device";
        PciAddress parsed;
        try
        {
            if (pci.RequestedAddress() is not { } requested)
                return HasFreeSlot() ? null : "PCI: no free hot-pluggable slot on pcie.0";
            parsed = requested;
        }
        catch (MachineConfigurationException e)
        {
            return e.Message;
        }
        if (parsed.Function != 0)
            return $"PCI: function {parsed.Function} of slot {parsed.Device}: only function 0 can be hot-plugged";
        if (parsed.Device is < FirstSlot or > LastSlot)
            return $"PCI: slot {parsed.Device} does not support hotplug (slots {FirstSlot} to {LastSlot} do)";
        if (_bus()?.Find(parsed.DevFn) is PciDevice other)
            return $"PCI: slot {parsed.Device} function 0 not available for {device.Type.Name}, in use by {other.Type.Name}";
        return null;
    }

    public void Plugged(Device device)
    {
        int slot = ((PciDevice)device).Address.Device;
        lock (_lock)
        {
            _inserted |= 1u << slot;
            _removalRequested &= ~(1u << slot);
        }
        _pm.RaiseGeneralPurposeEvent(GpeBit);
    }

    public void RequestUnplug(Device device)
    {
        if (!_pm.AcpiEnabled)
        {
            Release(device);
            return;
        }
        int slot = ((PciDevice)device).Address.Device;
        lock (_lock)
            _removalRequested |= 1u << slot;
        _pm.RaiseGeneralPurposeEvent(GpeBit);
    }

    /// <summary>
    /// A machine reset: the guest that was asked to release devices is gone,
    /// so the unplugs complete now; notifications not yet read are dropped
    /// (the next boot finds the devices by scanning).
    /// </summary>
    public void Reset()
    {
        uint pending;
        lock (_lock)
        {
            pending = _removalRequested;
            _removalRequested = 0;
            _inserted = 0;
        }
        EjectSlots(pending, fromGuest: false);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        Span<byte> block = stackalloc byte[AcpiPciHotplug.RegisterBlockSize];
        lock (_lock)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block[AcpiPciHotplug.InsertedOffset..], _inserted);
            BinaryPrimitives.WriteUInt32LittleEndian(block[AcpiPciHotplug.RemovalRequestedOffset..], _removalRequested);
            // PCIU is a latch: reading it hands the insertions to the OS.
            if (offset < AcpiPciHotplug.InsertedOffset + 4)
                _inserted = 0;
        }
        for (int i = 0; i < data.Length; i++)
        {
            ulong o = offset + (ulong)i;
            data[i] = o < AcpiPciHotplug.EjectOffset ? block[(int)o] : (byte)0;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        // PCEJ takes a whole 32-bit write (the DSDT's field is DWordAcc); anything else is ignored.
        if (offset != AcpiPciHotplug.EjectOffset || data.Length != 4)
            return;
        uint slots = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (slots == 0)
            return;
        lock (_lock)
            _removalRequested &= ~slots;
        EjectSlots(slots, fromGuest: true);
    }

    private void EjectSlots(uint slots, bool fromGuest)
    {
        PciBus? bus = _bus();
        for (int slot = 0; slot < 32; slot++)
        {
            if ((slots & (1u << slot)) == 0)
                continue;
            PciDevice? device = slot is >= FirstSlot and <= LastSlot ? bus?.Find(slot << 3) : null;
            if (device == null || !Handles(device))
            {
                if (fromGuest)
                    Interlocked.Increment(ref _ignoredEjects);
                continue;
            }
            Release(device);
        }
    }

    // Hands a device to the machine for removal. The guest may write PCEJ
    // again before the removal (on the machine's control thread) has taken it
    // off the bus; the machine removes a device once.
    private void Release(Device device) => _machine.CompleteUnplug(device);

    private bool HasFreeSlot()
    {
        PciBus? bus = _bus();
        for (int slot = FirstSlot; slot <= LastSlot; slot++)
        {
            if (bus == null || bus.IsSlotFree(slot))
                return true;
        }
        return false;
    }
}
