using Emu.Core.Objects;

namespace Emu.Host.Qmp.Commands;

/// <summary>Finds the object a qom-* command names, or fails as QEMU does (DeviceNotFound).</summary>
internal static class QomPath
{
    public static EmuObject Resolve(QmpCall call, string path)
    {
        EmuObject? obj = path.StartsWith('/') ? call.Context.Vm.Root.Resolve(path) : ResolvePartial(call.Context.Vm.Root, path);
        return obj ?? throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{path}' not found");
    }

    // QEMU accepts a partial path that names exactly one object ("peripheral/disk0", or just "disk0").
    private static EmuObject? ResolvePartial(EmuObject root, string path)
    {
        var matches = new List<EmuObject>();
        Search(root, path, matches);
        return matches.Count == 1 ? matches[0] : null;
    }

    private static void Search(EmuObject node, string path, List<EmuObject> matches)
    {
        if (node.Resolve(path) is { } found && !matches.Contains(found))
            matches.Add(found);
        foreach (EmuObject child in node.Children.Values)
            Search(child, path, matches);
    }
}
