using Emu.Core.Memory;

namespace Emu.Devices.Irq;

/// <summary>
/// The two I/O ports of one 8259 (command at the base, data at base + 1) or
/// of the ELCR pair. A wider access is split into byte accesses to
/// consecutive ports, as the ISA bus does.
/// </summary>
internal sealed class PicPortHandler : IIoHandler
{
    private readonly PicPair _pic;
    private readonly PicPortKind _kind;

    public PicPortHandler(PicPair pic, PicPortKind kind)
    {
        _pic = pic;
        _kind = kind;
    }

    public void Read(ulong offset, Span<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            ulong port = offset + (ulong)i;
            data[i] = port < PicPair.PortCount ? _pic.Read(_kind, (int)port) : (byte)0xFF;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            ulong port = offset + (ulong)i;
            if (port < PicPair.PortCount)
                _pic.Write(_kind, (int)port, data[i]);
        }
    }
}
