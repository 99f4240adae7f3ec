using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

/// <summary>An I/O handler that answers reads with a fixed byte and records writes.</summary>
internal sealed class RecordingHandler : IIoHandler
{
    private readonly byte _fill;

    public RecordingHandler(byte fill) => _fill = fill;

    public List<(ulong Offset, byte[] Data)> Writes { get; } = new();

    public List<ulong> Reads { get; } = new();

    public void Read(ulong offset, Span<byte> data)
    {
        Reads.Add(offset);
        data.Fill(_fill);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data) => Writes.Add((offset, data.ToArray()));
}
