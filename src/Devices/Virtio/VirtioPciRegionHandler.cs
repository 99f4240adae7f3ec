using Emu.Core.Memory;

namespace Emu.Devices.Virtio;

/// <summary>One structure of the virtio-pci register BAR, served by its transport.</summary>
internal sealed class VirtioPciRegionHandler(VirtioPciDevice owner, VirtioPciRegion region) : IIoHandler
{
    public void Read(ulong offset, Span<byte> data) => owner.ReadRegion(region, offset, data);

    public void Write(ulong offset, ReadOnlySpan<byte> data) => owner.WriteRegion(region, offset, data);
}
