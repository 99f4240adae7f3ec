using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Devices.Block;

/// <summary>
/// A drive from -drive: an opened block backend with an id that one device
/// attaches to (drive=ID). A drive serves exactly one device.
/// </summary>
public sealed class BlockDrive : EmuObject, IDisposable
{
    public static readonly ObjectType TypeInfo = new("block-drive", null, null, "A disk image opened by -drive");

    private Device? _user;

    public BlockDrive(string id, IBlockBackend backend, string description) : base(TypeInfo)
    {
        Id = id;
        Backend = backend;
        Description = description;
        IsRealized = true;
    }

    public IBlockBackend Backend { get; }

    /// <summary>What the drive is, for messages (e.g. the file name).</summary>
    public string Description { get; }

    public Device? User => _user;

    /// <summary>Attaches <paramref name="device"/>; a drive already in use is a configuration error.</summary>
    public void Claim(Device device)
    {
        if (Interlocked.CompareExchange(ref _user, device, null) is Device other && !ReferenceEquals(other, device))
            throw new MachineConfigurationException($"{device.Type.Name}: drive '{Id}' is already in use by {other}");
    }

    public void Release(Device device) => Interlocked.CompareExchange(ref _user, null, device);

    public void Dispose() => Backend.Dispose();
}
