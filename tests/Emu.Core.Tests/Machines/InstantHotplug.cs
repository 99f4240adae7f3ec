using Emu.Core.Machines;

namespace Emu.Core.Tests.Machines;

/// <summary>A hotplug controller whose guest lets go of a device at once.</summary>
internal sealed class InstantHotplug(Machine machine) : IHotplugController
{
    public string? CanPlug(Device device) => null;

    public void Plugged(Device device)
    {
    }

    public void RequestUnplug(Device device) => machine.CompleteUnplug(device);
}
