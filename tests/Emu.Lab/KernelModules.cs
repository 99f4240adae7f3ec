using System.Diagnostics;

namespace Emu.Lab;

// A set of kernel modules with their dependencies resolved by kmod
// (`modprobe --show-depends -S <ver> -a <names>`), ready to be copied into an initramfs.
public sealed class KernelModuleSet
{
    public required string KernelVersion { get; init; }

    // The requested modules that are loadable (.ko files); these are what init modprobes.
    public required IReadOnlyList<string> Loadable { get; init; }

    // The requested modules (and dependencies) that are built into the kernel: nothing to load.
    public required IReadOnlyList<string> Builtin { get; init; }

    // Every .ko file needed, as paths relative to /lib/modules/<ver>, in load order.
    public required IReadOnlyList<string> Files { get; init; }

    // modules.dep restricted to Files, so busybox modprobe resolves the same order.
    public required string ModulesDep { get; init; }
}

public static class KernelModules
{
    // Resolves names (module names like kvm_amd or 9pnet_virtio; dashes and underscores are
    // equivalent) for the lab's kernel. Throws LabException naming the module kmod rejects.
    public static KernelModuleSet Resolve(LabEnvironment env, IEnumerable<string> names)
    {
        env.EnsureLevel2();
        string version = env.KernelVersion!;
        var requested = names.Distinct().ToList();
        if (requested.Count == 0)
            return new KernelModuleSet { KernelVersion = version, Loadable = [], Builtin = [], Files = [], ModulesDep = "" };

        var psi = new ProcessStartInfo(env.ModprobePath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (env.KernelRoot.Length > 0)
        {
            psi.ArgumentList.Add("-d");
            psi.ArgumentList.Add(env.KernelRoot);
        }
        foreach (string a in new[] { "--show-depends", "-S", version, "-a" }.Concat(requested))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new LabException("cannot start modprobe");
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string stderr = stderrTask.GetAwaiter().GetResult();
        if (p.ExitCode != 0)
            throw new LabException($"modprobe --show-depends -S {version} -a {string.Join(' ', requested)} failed ({p.ExitCode}): {stderr.Trim()}");

        string marker = $"/modules/{version}/";
        var files = new List<string>();
        var builtinNames = new HashSet<string>();
        foreach (string raw in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] words = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words[0] == "insmod")
            {
                int at = words[1].IndexOf(marker, StringComparison.Ordinal);
                if (at < 0)
                    throw new LabException($"unexpected module path from modprobe: {words[1]}");
                string rel = words[1][(at + marker.Length)..];
                if (!files.Contains(rel))
                    files.Add(rel);
            }
            else if (words.Length >= 2 && words[0] == "builtin")
            {
                builtinNames.Add(Normalize(words[1]));
            }
        }

        var loadable = requested.Where(n => !builtinNames.Contains(Normalize(n))).ToList();
        var builtin = requested.Where(n => builtinNames.Contains(Normalize(n))).ToList();

        var depLines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(env.ModulesDirectory!, "modules.dep")))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
                depLines[line[..colon]] = line;
        }
        var dep = new System.Text.StringBuilder();
        foreach (string f in files)
            dep.Append(depLines.TryGetValue(f, out string? l) ? l : f + ":").Append('\n');

        return new KernelModuleSet
        {
            KernelVersion = version,
            Loadable = loadable,
            Builtin = builtin,
            Files = files,
            ModulesDep = dep.ToString(),
        };
    }

    // Module names treat '-' and '_' alike (kvm-amd.ko is module kvm_amd).
    public static string Normalize(string name) => name.Replace('-', '_');
}
