using System.Globalization;
using System.Text;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// The acceptance of vfio-pci passthrough with real drivers: emu, inside the nested lab
// (level 2: Linux 6.1, Intel IOMMU, the VFIO group/container path), gives Debian's kernel
// at level 3 an NVMe controller and an e1000e that level 2 emulates. All tests share one
// level-2 boot (VfioLinuxLabRun).
public class VfioLinuxLabTests(ITestOutputHelper output)
{
    Task<VfioLinuxLabRun> Run() => VfioLinuxLabRun.GetAsync(output.WriteLine);

    VfioLinuxLabRun.VmmRun Report(VfioLinuxLabRun lab, string job)
    {
        VfioLinuxLabRun.VmmRun run = lab[job];
        output.WriteLine($"job {job}: vmm exit {run.ExitCode}, job {run.Job.GuestSeconds:F1} s in level 2");
        foreach (string line in run.Job.OutputLines.Where(l => !l.Contains("@L3@", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal)))
            output.WriteLine($"{job}| {line}");
        foreach (string line in run.Stderr)
            output.WriteLine($"{job} stderr| {line}");
        foreach (string line in run.Job.OutputLines.Where(l => l.StartsWith("vmm_retried=", StringComparison.Ordinal) || l.StartsWith("first-attempt-stderr: ", StringComparison.Ordinal)))
            output.WriteLine($"{job} RETRIED| {line}");
        foreach (string line in run.Output.Lines)
            output.WriteLine($"{job} L3| {line}");
        return run;
    }

    static void AssertCleanRun(VfioLinuxLabRun lab, VfioLinuxLabRun.VmmRun run)
    {
        Assert.True(run.Output.Completed, "the level-3 check script did not finish\n" + lab.Result.Describe());
        Assert.Equal(0, run.Output.ExitCode);
        Assert.Empty(run.Output.Warnings);
        Assert.Equal(0, run.ExitCode); // the guest powered off and emu released everything
    }

    static void AssertNvmeWorks(VfioLinuxLabRun.VmmRun run)
    {
        Assert.Equal("nvme", run.Guest["driver"]);
        Assert.Equal(VfioLinuxLabRun.Pattern, run.Guest["pattern"]);
        Assert.Equal("msix", run.Guest["msix_mode"].Trim()); // every vector of the function is MSI-X (sysfs msi_irqs)
        Assert.False(run.Guest.ContainsKey("dd_failed"), run.Guest.GetValueOrDefault("dd_failed"));
        Assert.True(int.Parse(run.Guest["msix_vectors"], CultureInfo.InvariantCulture) >= 2, "expected the admin queue and at least one I/O queue vector");
        Assert.True(long.Parse(run.Guest["msix_interrupts"], CultureInfo.InvariantCulture) > 0, "no NVMe interrupt arrived");
    }

    [LabFact]
    public async Task Nvme_passed_through_by_emu_reads_and_writes_the_backing_image_with_MSIX_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun run = Report(lab, "emu-nvme");
        AssertCleanRun(lab, run);
        AssertNvmeWorks(run);
        // What the guest wrote is in the image on the host.
        Assert.Equal(VfioLinuxLabRun.Written, Encoding.ASCII.GetString(lab.ImageAtWrittenOffset));
    }

    [LabFact]
    public async Task E1000e_passed_through_by_emu_links_up_and_reaches_the_gateway_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun run = Report(lab, "emu-e1000e");
        AssertCleanRun(lab, run);
        Assert.Equal("e1000e", run.Guest["nic_driver"]);
        Assert.Equal("1", run.Guest["carrier"]);
        Assert.Equal("up", run.Guest["operstate"]);
        Assert.True(int.Parse(run.Guest["ping_received"], CultureInfo.InvariantCulture) >= 1, "no ping reply from 10.0.2.2");
        Assert.True(long.Parse(run.Guest["nic_interrupts"], CultureInfo.InvariantCulture) > 0, "no e1000e interrupt arrived");
    }

    [LabFact]
    public async Task Two_devices_in_separate_groups_are_passed_through_at_once_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun run = Report(lab, "emu-two");
        var job = new Dictionary<string, string>();
        foreach (string line in run.Job.OutputLines)
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && !line.Contains(' ', StringComparison.Ordinal))
                job[line[..eq]] = line[(eq + 1)..];
        }
        Assert.NotEqual(job["nvme_group"], job["nic_group"]);
        AssertCleanRun(lab, run);
        AssertNvmeWorks(run);
        Assert.Equal("e1000e", run.Guest["nic_driver"]);
        Assert.Equal("1", run.Guest["carrier"]);
    }

    // The BAR fast path: NVMe doorbells live in BAR0, so if it were trapped every command
    // would cost at least two MMIO exits to the VMM (submission and completion doorbells).
    // With BAR0 a memslot, reading 192 MiB exits to the VMM for MMIO fewer than once per MiB,
    // in every read. Meanwhile the MSI-X table writes did reach the VMM: the vectors it routed are counting.
    [LabFact]
    public async Task The_nvme_data_BAR_is_a_memslot_so_a_large_read_causes_almost_no_MMIO_exits_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun run = Report(lab, "emu-nvme");
        AssertCleanRun(lab, run);
        Assert.Equal(VfioLinuxLabRun.ReadCount, run.Reads.Count());
        foreach (int read in run.Reads)
        {
            double mmio = run.RawExitsDuringRead(read, "mmio_exits");
            output.WriteLine($"during {VfioLinuxLabRun.ReadMiB} MiB read {read}: {run.RawExitsDuringRead(read):F0} exits, {mmio:F0} MMIO exits");
            Assert.True(mmio < VfioLinuxLabRun.ReadMiB, $"{mmio} MMIO exits for {VfioLinuxLabRun.ReadMiB} MiB in read {read}: the data BAR is trapped");
        }
        Assert.True(long.Parse(run.Guest["msix_interrupts"], CultureInfo.InvariantCulture) > 0);
    }

    // The exit counters the sampler records, besides the total, for the report.
    static readonly string[] s_exitKinds = ["halt_exits", "irq_exits", "irq_window_exits", "io_exits", "mmio_exits", "request_irq_exits", "signal_exits"];

    static string DescribeReads(string who, VfioLinuxLabRun.VmmRun r)
    {
        var sb = new StringBuilder();
        foreach (int read in r.Reads)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{who} read {read}: {VfioLinuxLabRun.Throughput(r, read) / (1 << 20):F1} MiB/s, ");
            sb.Append(CultureInfo.InvariantCulture, $"{r.ExitsDuringRead(read) / VfioLinuxLabRun.ReadMiB:F2} exits/MiB (raw window {r.RawExitsDuringRead(read):F0} exits:");
            double known = 0;
            foreach (string kind in s_exitKinds)
            {
                double n = r.RawExitsDuringRead(read, kind);
                known += n;
                sb.Append(CultureInfo.InvariantCulture, $" {kind.Replace("_exits", "", StringComparison.Ordinal)} {n:F0}");
            }
            // What debugfs does not count by kind (on AMD: MSR writes such as the TSC deadline and x2APIC EOI/ICR, CPUID, ...).
            sb.Append(CultureInfo.InvariantCulture, $" other {r.RawExitsDuringRead(read) - known:F0})");
            sb.Append(read == r.BestRead ? " <- counted\n" : "\n");
        }
        return sb.ToString();
    }

    // With EMU_VFIO_ROUNDS=N: every read of every round, the median throughput of each VMM,
    // their ratio, and each round's ratio of its two median reads (the rounds alternate, so
    // each pair ran close together in time).
    string DescribeRounds(VfioLinuxLabRun lab)
    {
        var sb = new StringBuilder();
        var all = new Dictionary<string, List<double>> { ["emu"] = [], ["qemu"] = [] };
        var perRound = new List<string>();
        for (int round = 1; round <= VfioLinuxLabRun.ComparisonRounds; round++)
        {
            var medians = new Dictionary<string, double>();
            foreach (string vmm in all.Keys)
            {
                VfioLinuxLabRun.VmmRun r = lab[VfioLinuxLabRun.ComparisonJob(vmm, round)];
                List<double> rates = r.Reads.Select(read => VfioLinuxLabRun.Throughput(r, read) / (1 << 20)).ToList();
                string reads = rates.Count > 0
                    ? "MiB/s " + string.Join(" ", rates.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))
                    : $"no timed reads (level-3 script finished: {r.Output.Completed}, status {r.Output.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}; samples: {string.Join(" ", r.Samples.Keys)})";
                sb.Append(CultureInfo.InvariantCulture, $"round {round} {vmm}: vmm exit {r.ExitCode}, {reads}\n");
                all[vmm].AddRange(rates);
                if (rates.Count > 0)
                    medians[vmm] = Statistics.Median(rates);
            }
            if (medians.Count == 2)
                perRound.Add((medians["emu"] / medians["qemu"]).ToString("F2", CultureInfo.InvariantCulture));
        }
        if (all["emu"].Count > 0 && all["qemu"].Count > 0)
        {
            double emu = Statistics.Median(all["emu"]), qemu = Statistics.Median(all["qemu"]);
            sb.Append(CultureInfo.InvariantCulture, $"{VfioLinuxLabRun.ComparisonRounds} rounds: median of {all["emu"].Count} emu reads {emu:F1} MiB/s, of {all["qemu"].Count} QEMU reads {qemu:F1} MiB/s: throughput ratio emu/qemu {emu / qemu:F2}; per round {string.Join(" ", perRound)}");
        }
        return sb.ToString();
    }

    // The comparison the issue asks for, in the same level-2 run: sequential O_DIRECT read
    // throughput and exits per MiB, emu against QEMU 7.2's -device vfio-pci with the same
    // device, both with guest RAM on transparent huge pages (private anonymous memory in
    // both, under Debian's default settings). Exits are counts, so they are
    // compared; throughput is reported only. Each VMM reads ReadCount times and counts the
    // read that added the fewest exits (VfioLinuxLabRun explains why).
    [LabFact]
    public async Task Emu_exits_no_more_per_MiB_than_QEMU_for_the_same_nvme_read_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun emu = Report(lab, "emu-nvme");
        VfioLinuxLabRun.VmmRun qemu = Report(lab, "qemu-nvme");
        AssertCleanRun(lab, emu);
        Assert.True(qemu.Output.Completed, "QEMU's run did not finish\n" + lab.Result.Describe());
        // Every read must have run; a window whose closing sample found the counters gone
        // (the VMM already exited on a slow lab) is left out, but one usable window is needed.
        Assert.Equal(VfioLinuxLabRun.ReadCount, Enumerable.Range(1, VfioLinuxLabRun.ReadCount).Count(r => emu.Guest.ContainsKey($"dd_seconds_{r}")));
        Assert.True(emu.Reads.Any() && qemu.Reads.Any(), "no read window with sampled exit counters\n" + lab.Result.Describe());
        VfioLinuxLabRun.VmmRun memfd = Report(lab, "emu-nvme-memfd");
        double emuExits = emu.ExitsPerMiB, qemuExits = qemu.ExitsPerMiB;
        double emuRaw = emu.RawExitsPerMiB, qemuRaw = qemu.RawExitsPerMiB;
        double emuRate = VfioLinuxLabRun.Throughput(emu, emu.BestRead), qemuRate = VfioLinuxLabRun.Throughput(qemu, qemu.BestRead);
        output.WriteLine($"nvme read {VfioLinuxLabRun.ReadMiB} MiB O_DIRECT, {VfioLinuxLabRun.ReadCount} reads each:");
        output.WriteLine(DescribeReads("emu", emu) + DescribeReads("qemu", qemu)
            + string.Create(CultureInfo.InvariantCulture, $"counted reads: emu {emuRaw:F2} exits/MiB, qemu {qemuRaw:F2}: exits ratio {emuRaw / Math.Max(qemuRaw, 0.001):F2} (above each VMM's idle rate: emu {emuExits:F2}, qemu {qemuExits:F2}); throughput ratio emu/qemu {emuRate / qemuRate:F2}"));
        if (memfd.Output.Completed && memfd.Reads.Any())
            output.WriteLine("with guest RAM in a shared memfd (4 KiB pages under shmem_enabled=never): " + DescribeReads("emu", memfd));
        // VFIO maps a shared memfd as it maps private RAM: by host virtual address.
        AssertCleanRun(lab, memfd);
        AssertNvmeWorks(memfd);
        if (VfioLinuxLabRun.ComparisonRounds > 1)
            output.WriteLine(DescribeRounds(lab));
        // Counts are not quite deterministic (timer ticks fall where they fall): 10% slack.
        // Raw counts of the same read are compared: an idle rate subtracted from each VMM
        // would penalize the VMM whose idle guest exits less (VfioLinuxLabRun.BestRead).
        Assert.True(emuRaw <= qemuRaw * 1.1 + 1, $"emu {emuRaw:F1} exits/MiB against QEMU's {qemuRaw:F1}");
    }

    // QMP device_add of vfio-pci into a running Linux guest and device_del out of it (ACPI PCI hotplug).
    [LabFact]
    public async Task Nvme_hot_added_with_device_add_works_in_the_guest_and_leaves_on_device_del_on_Linux_6_1()
    {
        VfioLinuxLabRun lab = await Run();
        VfioLinuxLabRun.VmmRun run = Report(lab, "emu-hotplug");
        foreach (string line in run.Job.OutputLines.Where(l => l.StartsWith("qmp: ", StringComparison.Ordinal)))
            output.WriteLine($"emu-hotplug| {line}");
        AssertCleanRun(lab, run);
        Assert.Equal("nvme", run.Guest["hp_driver"]);
        Assert.Equal(VfioLinuxLabRun.Pattern, run.Guest["hp_pattern"]);
        Assert.Equal("msix", run.Guest["hp_msix"].Trim());
        Assert.Equal("0", run.Guest["hp_remaining"]);
        Assert.Contains(run.Job.OutputLines, l => l.StartsWith("qmp: ", StringComparison.Ordinal) && l.Contains("\"DEVICE_DELETED\"", StringComparison.Ordinal) && l.Contains("hp0", StringComparison.Ordinal));
    }
}
