namespace Emu.Host.Qmp.Platform;

/// <summary>The host CPU as /proc/cpuinfo describes its first processor: model name and the kernel's feature flags.</summary>
internal sealed record HostCpu(string ModelName, int Family, int Model, int Stepping, int LogicalProcessors, IReadOnlyList<string> Flags)
{
    public static HostCpu Probe()
    {
        string model = "";
        int family = 0, number = 0, stepping = 0, processors = 0;
        IReadOnlyList<string> flags = Array.Empty<string>();
        bool first = true;
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0)
                    continue;
                string key = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                if (key == "processor")
                {
                    processors++;
                    first = processors == 1;
                }
                if (!first)
                    continue;
                switch (key)
                {
                    case "model name":
                        model = value;
                        break;
                    case "cpu family":
                        int.TryParse(value, out family);
                        break;
                    case "model":
                        int.TryParse(value, out number);
                        break;
                    case "stepping":
                        int.TryParse(value, out stepping);
                        break;
                    case "flags":
                        flags = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        break;
                }
            }
        }
        catch (IOException)
        {
        }
        return new HostCpu(model, family, number, stepping, processors, flags);
    }
}
