using Emu.Core.Objects;
using Emu.Devices.Virtio.Blk;

namespace Emu.Devices.Virtio;

/// <summary>The virtio device types offered on the command line.</summary>
public static class VirtioCatalog
{
    public static void Register(TypeRegistry registry)
    {
        registry.Register(VirtioPciDevice.TypeInfo);
        registry.Register(VirtioBlkPci.TypeInfo);
    }
}
