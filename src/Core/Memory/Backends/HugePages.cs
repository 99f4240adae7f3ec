using System.Globalization;
using Emu.Core.Machines;

namespace Emu.Core.Memory.Backends;

/// <summary>
/// The host's hugetlb pools, as Linux shows them: one directory per huge page
/// size under /sys/kernel/mm/hugepages (hugepages-2048kB...), each with
/// nr_hugepages, free_hugepages and resv_hugepages (free pages already promised
/// to a mapping); the default size is "Hugepagesize" in /proc/meminfo. A pool
/// is empty until the administrator sizes it (vm.nr_hugepages).
/// </summary>
public static class HugePages
{
    private const string PoolRoot = "/sys/kernel/mm/hugepages";

    /// <summary>The default huge page size (2 MiB on x86-64 unless the kernel was booted with default_hugepagesz=).</summary>
    public static ulong DefaultSize()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("Hugepagesize:", StringComparison.Ordinal))
                return ulong.Parse(line["Hugepagesize:".Length..].Replace("kB", "").Trim(), CultureInfo.InvariantCulture) << 10;
        }
        return 2UL << 20;
    }

    /// <summary>The huge page sizes the host has pools for.</summary>
    public static IReadOnlyList<ulong> Sizes()
    {
        var sizes = new List<ulong>();
        if (!Directory.Exists(PoolRoot))
            return sizes;
        foreach (string dir in Directory.GetDirectories(PoolRoot, "hugepages-*kB"))
        {
            string name = Path.GetFileName(dir);
            if (ulong.TryParse(name["hugepages-".Length..^2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kib))
                sizes.Add(kib << 10);
        }
        sizes.Sort();
        return sizes;
    }

    /// <summary>
    /// Checks that <paramref name="size"/> bytes of huge pages of
    /// <paramref name="pageSize"/> can be had: the size exists, the memory is a
    /// whole number of pages, and the pool has that many free, unreserved pages.
    /// <paramref name="what"/> says why huge pages are wanted (e.g. "hugetlb=on").
    /// </summary>
    public static void CheckAvailable(ulong pageSize, ulong size, string who, string what)
    {
        string pool = Path.Combine(PoolRoot, $"hugepages-{pageSize >> 10}kB");
        if (!Directory.Exists(pool))
        {
            IReadOnlyList<ulong> sizes = Sizes();
            throw new MachineConfigurationException($"{who}: this host has no huge pages of {ByteSizeText.Format(pageSize)}"
                + (sizes.Count == 0 ? "" : $" (it has {string.Join(", ", sizes.Select(ByteSizeText.Format))})"));
        }
        if (size % pageSize != 0)
            throw new MachineConfigurationException($"{who}: size {ByteSizeText.Format(size)} is not a multiple of the huge page size ({ByteSizeText.Format(pageSize)})");
        ulong needed = size / pageSize;
        ulong total = Read(pool, "nr_hugepages");
        ulong free = Read(pool, "free_hugepages") - Math.Min(Read(pool, "free_hugepages"), Read(pool, "resv_hugepages"));
        if (free < needed)
        {
            throw new MachineConfigurationException(total == 0
                ? $"{who}: {what}, but no huge pages of {ByteSizeText.Format(pageSize)} are configured (need {needed}: echo {needed} > {pool}/nr_hugepages, as root)"
                : $"{who}: {what} needs {needed} huge pages of {ByteSizeText.Format(pageSize)}, and only {free} of the {total} in {pool} are free");
        }
    }

    private static ulong Read(string pool, string file) =>
        ulong.Parse(File.ReadAllText(Path.Combine(pool, file)).Trim(), CultureInfo.InvariantCulture);
}
