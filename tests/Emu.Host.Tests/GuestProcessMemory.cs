using System.Globalization;

namespace Emu.Host.Tests;

/// <summary>What /proc says about an emu process's memory.</summary>
internal static class GuestProcessMemory
{
    /// <summary>A field of /proc/PID/smaps_rollup or /proc/PID/status, in KiB ("AnonHugePages", "VmRSS"...).</summary>
    public static long Kib(int pid, string file, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/{file}"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Replace("kB", "").Trim(), CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no {field} in /proc/{pid}/{file}");
    }

    /// <summary>The AnonHugePages of the process's mapping of exactly <paramref name="sizeKib"/> KiB (guest RAM), from /proc/PID/smaps.</summary>
    public static long? AnonHugePagesOfMapping(int pid, long sizeKib) => FieldOfMapping(pid, sizeKib, "AnonHugePages");

    /// <summary>A field ("Rss", "AnonHugePages"...) of the process's mapping of exactly <paramref name="sizeKib"/> KiB, from /proc/PID/smaps.</summary>
    public static long? FieldOfMapping(int pid, long sizeKib, string field)
    {
        bool inMapping = false;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.StartsWith("Size:", StringComparison.Ordinal))
                inMapping = long.Parse(line[5..].Replace("kB", "").Trim(), CultureInfo.InvariantCulture) == sizeKib;
            else if (inMapping && line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Replace("kB", "").Trim(), CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition())
                return true;
            Thread.Sleep(100);
        }
        return condition();
    }
}
