using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

/// <summary>Remembers the diffs a listener receives, batch by batch.</summary>
internal sealed class RecordingListener : IMemoryListener
{
    public List<FlatRange> Added { get; } = new();

    public List<FlatRange> Removed { get; } = new();

    public int Batches { get; private set; }

    public void BeginUpdate() => Batches++;

    public void RangeAdded(in FlatRange range) => Added.Add(range);

    public void RangeRemoved(in FlatRange range) => Removed.Add(range);

    public void Clear()
    {
        Added.Clear();
        Removed.Clear();
        Batches = 0;
    }
}
