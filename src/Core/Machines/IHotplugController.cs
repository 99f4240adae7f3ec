namespace Emu.Core.Machines;

/// <summary>
/// What lets devices come and go while the guest runs: a PCI Express slot
/// with native hotplug, or ACPI PCI hotplug on a bus. Plugging tells the
/// guest a device arrived; unplugging asks the guest to let go of one, and
/// the controller calls <see cref="Machine.CompleteUnplug"/> once the guest
/// has ejected it (or right away if the guest is not using the slot).
/// </summary>
public interface IHotplugController
{
    /// <summary>Null when <paramref name="device"/> can be plugged here, else a one-line reason.</summary>
    string? CanPlug(Device device);

    /// <summary>Announces a realized device to the guest.</summary>
    void Plugged(Device device);

    /// <summary>Asks the guest to release <paramref name="device"/>; completion is asynchronous.</summary>
    void RequestUnplug(Device device);
}
