using Emu.Core.Machines;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>A hotplug controller whose "guest" is the test: it records requests, and the test decides when the guest lets go.</summary>
internal sealed class RecordingHotplugController : IHotplugController
{
    public List<Device> Plugged { get; } = new();

    public List<Device> UnplugRequests { get; } = new();

    public string? CanPlug(Device device) => device.Get(PluggableDevice.Queues) > 8 ? "at most 8 queues fit this slot" : null;

    void IHotplugController.Plugged(Device device) => Plugged.Add(device);

    public void RequestUnplug(Device device) => UnplugRequests.Add(device);
}
