using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

/// <summary>
/// A listener whose system call fails for some ranges, as KVM refuses a
/// memory slot it has no room for: it records only what it took.
/// </summary>
internal sealed class FailingListener(Func<FlatRange, bool> fails) : IMemoryListener
{
    public List<FlatRange> Mapped { get; } = new();

    public void RangeAdded(in FlatRange range)
    {
        if (fails(range))
            throw new IOException($"KVM_SET_USER_MEMORY_REGION: No space left on device (errno 28) for {range}");
        Mapped.Add(range);
    }

    public void RangeRemoved(in FlatRange range) => Mapped.Remove(range);
}
