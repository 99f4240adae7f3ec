using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>The MSI-X vector table as a BAR region sees it.</summary>
internal sealed class MsixTableHandler(MsixCapability owner) : IIoHandler
{
    public void Read(ulong offset, Span<byte> data) => owner.ReadTable(offset, data);

    public void Write(ulong offset, ReadOnlySpan<byte> data) => owner.WriteTable(offset, data);
}
