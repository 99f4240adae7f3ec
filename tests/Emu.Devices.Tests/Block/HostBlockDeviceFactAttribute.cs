namespace Emu.Devices.Tests.Block;

/// <summary>A [Fact] skipped where no loop device can be made (not root, no losetup).</summary>
public sealed class HostBlockDeviceFactAttribute : FactAttribute
{
    public HostBlockDeviceFactAttribute()
    {
        if (HostBlockDevice.MissingReason is { } reason)
            Skip = reason;
    }
}
