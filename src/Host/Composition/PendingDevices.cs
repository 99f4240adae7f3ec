using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Composition;

/// <summary>
/// The devices of a command line, made and checked before the board exists
/// (so before the accelerator opens), then realized in their order once it does.
/// </summary>
internal sealed class PendingDevices
{
    private readonly Machine _machine;
    private readonly List<(Device Device, string? BoardName)> _devices = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Id), Device> _backendUsers = new();

    public PendingDevices(Machine machine) => _machine = machine;

    /// <summary>Checks the device against the machine's backends and the host, and queues it.</summary>
    public void Add(Device device, string? boardName = null)
    {
        if (device.Id != null && !_ids.Add(device.Id))
            throw new MachineConfigurationException($"Duplicate device ID '{device.Id}'");
        device.CheckConfiguration(_machine);
        // A drive, netdev or chardev serves one device (LinkProperty).
        foreach (LinkProperty link in device.Type.Properties.OfType<LinkProperty>())
        {
            if (device.Get(link) is not { } backend)
                continue;
            if (!_backendUsers.TryAdd((link.TargetType, backend), device))
                throw new MachineConfigurationException($"{device.Type.Name}: {link.TargetType} '{backend}' is already in use by {_backendUsers[(link.TargetType, backend)]}");
        }
        _devices.Add((device, boardName));
    }

    public void AddRange(IEnumerable<Device> devices)
    {
        foreach (Device device in devices)
            Add(device);
    }

    /// <summary>Realizes every device into the built machine, in the order they were given.</summary>
    public void RealizeAll()
    {
        foreach ((Device device, string? boardName) in _devices)
            _machine.AddDevice(device, boardName);
    }
}
