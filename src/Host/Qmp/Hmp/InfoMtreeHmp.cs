using Emu.Core.Memory;

namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// "info mtree [-f]": the memory-region tree of each address space, with
/// absolute addresses, priorities and kinds, aliases with their targets; with
/// -f, the flat view each tree renders to (what the accelerator and the
/// dispatch actually use). The tree is copied under the topology lock and
/// printed outside it; flat views are immutable snapshots already.
/// </summary>
internal sealed class InfoMtreeHmp : HmpCommand
{
    private sealed record Node(int Depth, ulong Start, MemoryRegion Region, int Priority, bool Enabled);

    public override string Name => "info mtree";

    public override string Usage => "info mtree [-f] -- show the memory-region tree (-f: the flat views)";

    public override Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex)
    {
        MemoryTopology topology = context.Vm.Machine.Topology;
        string text = arguments.Trim() switch
        {
            "" => Tree(topology),
            "-f" => Flat(topology),
            _ => throw new QmpException($"info mtree: unexpected '{arguments.Trim()}' (usage: {Usage})"),
        };
        return Task.FromResult(text);
    }

    private static string Tree(MemoryTopology topology)
    {
        var spaces = new List<(AddressSpace Space, List<Node> Nodes)>();
        using (topology.BeginTransaction())
        {
            foreach (AddressSpace space in topology.AddressSpaces)
            {
                var nodes = new List<Node>();
                Collect(space.Root, 0, 0, nodes);
                spaces.Add((space, nodes));
            }
        }
        var text = new HmpText();
        foreach ((AddressSpace space, List<Node> nodes) in spaces)
        {
            text.Line($"address-space: {space.Name}");
            foreach (Node n in nodes)
                text.Line($"{new string(' ', 2 + 2 * n.Depth)}{Range(n.Start, n.Region.Size)} (prio {n.Priority}, {KindName(n.Region.Kind)}): {Describe(n)}");
            text.Line();
        }
        return text.ToString();
    }

    private static void Collect(MemoryRegion region, ulong start, int depth, List<Node> nodes)
    {
        nodes.Add(new Node(depth, start, region, region.Priority, region.Enabled));
        foreach (MemoryRegion child in region.Subregions)
            Collect(child, start + child.Address, depth + 1, nodes);
    }

    private static string Describe(Node n)
    {
        MemoryRegion r = n.Region;
        string text = r.Kind == MemoryRegionKind.Alias && r.AliasTarget != null
            ? $"alias {r.Name} @{r.AliasTarget.Name} {Range(r.AliasOffset, r.Size)}"
            : r.Name;
        return n.Enabled ? text : text + " [disabled]";
    }

    private static string Flat(MemoryTopology topology)
    {
        var text = new HmpText();
        int number = 0;
        foreach (AddressSpace space in topology.AddressSpaces)
        {
            FlatView view = space.View;
            text.Line($"FlatView #{number++}");
            text.Line($" AS \"{space.Name}\", root: {space.Root.Name}");
            text.Line($" Root memory region: {space.Root.Name}");
            if (view.Count == 0)
                text.Line("  No rendered FlatView");
            foreach (FlatRange r in view.Ranges)
            {
                string offset = r.Offset != 0 ? $" @{r.Offset:x16}" : "";
                string mapped = r.IsMappable ? " KVM" : "";
                text.Line($"  {Range(r.Start, r.Size)} (prio {r.Region.Priority}, {KindName(r.Kind)}): {r.Region.Name}{offset}{mapped}");
            }
            text.Line();
        }
        return text.ToString();
    }

    private static string Range(ulong start, ulong size) => $"{start:x16}-{start + (size - 1):x16}";

    private static string KindName(MemoryRegionKind kind) => kind switch
    {
        MemoryRegionKind.Container => "container",
        MemoryRegionKind.Ram => "ram",
        MemoryRegionKind.Rom => "rom",
        MemoryRegionKind.Io => "i/o",
        _ => "alias",
    };
}
