using Emu.Core.Objects;
using Emu.Devices.Virtio.Blk;
using Emu.Devices.Virtio.Console;
using Emu.Devices.Virtio.Net;
using Emu.Devices.Virtio.Rng;

namespace Emu.Devices.Virtio;

/// <summary>The virtio device types offered on the command line.</summary>
public static class VirtioCatalog
{
    public static void Register(TypeRegistry registry)
    {
        registry.Register(VirtioPciDevice.TypeInfo);
        registry.Register(VirtioBlkPci.TypeInfo);
        registry.Register(VirtioNetPci.TypeInfo);
        registry.Register(VirtioSerialPci.TypeInfo);
        registry.Register(VirtioRngPci.TypeInfo);
    }
}
