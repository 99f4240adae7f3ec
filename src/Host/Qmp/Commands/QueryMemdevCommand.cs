using Emu.Core.Memory.Backends;
using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-memdev: the memory backends under /objects, in QEMU's Memdev shape
/// (id, size, merge, dump, prealloc, share, reserve, host-nodes, policy). emu
/// has no NUMA policy: host-nodes is empty and policy "default", as QEMU
/// reports a backend without one.
/// </summary>
internal sealed class QueryMemdevCommand : QmpCommand
{
    public override string Name => "query-memdev";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var w = call.Result;
        w.WriteStartArray();
        if (call.Context.Vm.Root.FindChild("objects") is { } objects)
        {
            foreach ((string id, EmuObject obj) in objects.Children)
            {
                if (obj is not MemoryBackend backend)
                    continue;
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteNumber("size", backend.Size);
                w.WriteBoolean("merge", backend.Get(MemoryBackend.MergeProperty));
                w.WriteBoolean("dump", backend.Get(MemoryBackend.DumpProperty));
                w.WriteBoolean("prealloc", backend.Get(MemoryBackend.PreallocProperty));
                w.WriteBoolean("share", backend.Share);
                // What the mapping is: hugetlb memory is reserved whatever the property says.
                w.WriteBoolean("reserve", backend.Block?.Options is { } o && (o.Reserve || o.HugePageSize != 0));
                w.WriteStartArray("host-nodes");
                w.WriteEndArray();
                w.WriteString("policy", "default");
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
