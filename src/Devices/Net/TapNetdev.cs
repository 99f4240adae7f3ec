using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Devices.Net;

/// <summary>A -netdev tap backend: an open tap interface that one network device uses.</summary>
public sealed class TapNetdev : EmuObject, IDisposable
{
    public static readonly ObjectType TypeInfo = new("netdev-tap", null, null, "A host tap interface opened by -netdev tap");

    private Device? _user;

    public TapNetdev(string id, TapDevice tap) : base(TypeInfo)
    {
        Id = id;
        Tap = tap;
        IsRealized = true;
    }

    public TapDevice Tap { get; }

    public void Claim(Device device)
    {
        if (Interlocked.CompareExchange(ref _user, device, null) is Device other && !ReferenceEquals(other, device))
            throw new MachineConfigurationException($"{device.Type.Name}: netdev '{Id}' is already in use by {other}");
    }

    public void Release(Device device) => Interlocked.CompareExchange(ref _user, null, device);

    public void Dispose() => Tap.Dispose();
}
