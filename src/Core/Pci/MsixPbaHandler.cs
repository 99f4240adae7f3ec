using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>The MSI-X pending bit array as a BAR region sees it: read-only.</summary>
internal sealed class MsixPbaHandler(MsixCapability owner) : IIoHandler
{
    public void Read(ulong offset, Span<byte> data) => owner.ReadPba(offset, data);

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
    }
}
