using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// Level 2: Debian's kernel and drivers in a level-3 guest on emu's virtio devices.
// All checks share one level-2 boot (VirtioLabRun).
public class VirtioLabTests(ITestOutputHelper output)
{
    async Task<(VirtioLabRun Run, Level3Output Guest)> Emu()
    {
        VirtioLabRun run = await VirtioLabRun.GetAsync(output.WriteLine);
        LabJobResult job = run.Result["emu"];
        output.WriteLine(job.Output);
        Assert.True(job.Succeeded, run.Result.Describe());
        Assert.Contains("emu-exit=0", job.OutputLines);
        var guest = Level3Output.Parse(job.Output);
        Assert.True(guest.Completed, run.Result.Describe());
        return (run, guest);
    }

    [LabFact]
    public async Task Virtio_blk_disk_is_found_and_a_synced_pattern_is_in_the_image_after_exit()
    {
        var (run, guest) = await Emu();
        Assert.Contains(guest.Lines, l => l.StartsWith("blocks: ", StringComparison.Ordinal) && l.Contains("vda") && l.Contains("vdb"));
        Assert.Equal(VirtioLabRun.DiskSerial, VirtioLabRun.Value(guest, "vda-serial"));
        Assert.Equal("0", VirtioLabRun.Value(guest, "write-rc"));
        Assert.Equal(VirtioLabRun.Value(guest, "written"), VirtioLabRun.Value(guest, "readback"));
        byte[] pattern = VirtioLabRun.Pattern();
        byte[] image = File.ReadAllBytes(run.ImagePath);
        Assert.Equal(pattern, image.AsSpan(VirtioLabRun.PatternOffset, pattern.Length).ToArray());
    }

    [LabFact]
    public async Task A_read_only_image_refuses_writes_in_the_guest()
    {
        var (_, guest) = await Emu();
        Assert.Equal("1", VirtioLabRun.Value(guest, "vdb-ro"));
        Assert.Equal(VirtioLabRun.ReadOnlyMarker, VirtioLabRun.Value(guest, "vdb-head"));
        Assert.NotEqual("0", VirtioLabRun.Value(guest, "ro-write-rc"));
    }

    [LabFact]
    public async Task The_guest_pings_the_tap_in_level2_through_virtio_net()
    {
        var (run, guest) = await Emu();
        Assert.Contains("tap-rc=0", run.Result["emu"].OutputLines);
        Assert.Equal("0", VirtioLabRun.Value(guest, "ping-rc"));
        Assert.Contains(guest.Lines, l => l.Contains("3 packets transmitted, 3 packets received", StringComparison.Ordinal));
    }

    [LabFact]
    public async Task Text_written_to_hvc0_reaches_the_chardev()
    {
        var (run, guest) = await Emu();
        Assert.Equal("0", VirtioLabRun.Value(guest, "hvc0-rc"));
        Assert.Contains(VirtioLabRun.HvcText, File.ReadAllText(run.HvcLogPath));
    }

    [LabFact]
    public async Task Dev_hwrng_yields_bytes_from_virtio_rng()
    {
        var (_, guest) = await Emu();
        Assert.StartsWith("virtio_rng", VirtioLabRun.Value(guest, "rng-current"));
        string? bytes = VirtioLabRun.Value(guest, "rng-bytes");
        Assert.NotNull(bytes);
        Assert.Equal(64, bytes.Length);
        Assert.NotEqual(new string('0', 64), bytes);
    }

    [LabFact]
    public async Task Interrupts_are_msix()
    {
        var (_, guest) = await Emu();
        var irqs = guest.Lines.Where(l => l.StartsWith("irq: ", StringComparison.Ordinal)).ToList();
        // e.g. " 25:  1234  PCI-MSIX-0000:00:01.0  1-edge  virtio0-request"
        Assert.Contains(irqs, l => l.Contains("PCI-MSI", StringComparison.Ordinal) && l.Contains("virtio0-req", StringComparison.Ordinal)
            && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2).TakeWhile(w => char.IsDigit(w[0])).Any(w => long.Parse(w) > 0));
        Assert.DoesNotContain(irqs, l => l.Contains("IO-APIC", StringComparison.Ordinal));
    }

    // Measurement, not a pass/fail target: dd throughput from the level-3 guest, emu
    // against QEMU-KVM in the same level-2 run (O_DIRECT both in the guest and on the host).
    [LabFact]
    public async Task Dd_throughput_is_reported_against_qemu()
    {
        var (run, guest) = await Emu();
        LabJobResult qemuJob = run.Result["qemu"];
        output.WriteLine(qemuJob.Output);
        var qemu = Level3Output.Parse(qemuJob.Output);
        double? emuRead = VirtioLabRun.Throughput(guest, "dd-read-mbps"), qemuRead = VirtioLabRun.Throughput(qemu, "dd-read-mbps");
        double? emuWrite = VirtioLabRun.Throughput(guest, "dd-write-mbps"), qemuWrite = VirtioLabRun.Throughput(qemu, "dd-write-mbps");
        output.WriteLine($"dd read  MB/s: emu {emuRead} qemu {qemuRead} ratio {emuRead / qemuRead:F2}");
        output.WriteLine($"dd write MB/s: emu {emuWrite} qemu {qemuWrite} ratio {emuWrite / qemuWrite:F2}");
        Assert.True(emuRead > 0 && emuWrite > 0, "emu's guest measured nothing");
        Assert.True(qemuRead > 0 && qemuWrite > 0, "QEMU's guest measured nothing: " + qemuJob.Output);
    }

    // QMP device_add and device_del into a running Linux guest (ACPI PCI hotplug).
    [LabFact]
    public async Task A_disk_added_over_qmp_appears_in_the_guest_and_leaves_on_device_del()
    {
        VirtioLabRun run = await VirtioLabRun.GetAsync(output.WriteLine);
        LabJobResult job = run.Result["hotplug"];
        output.WriteLine(job.Output);
        Assert.True(job.Succeeded, run.Result.Describe());
        var guest = Level3Output.Parse(job.Output);
        Assert.True(guest.Completed, run.Result.Describe());
        // acpiphp found the DSDT's slot devices.
        Assert.Contains("10", (VirtioLabRun.Value(guest, "slots") ?? "").Split(','));
        Assert.Contains("vda", (VirtioLabRun.Value(guest, "hotplug-blocks") ?? "").Split(','));
        Assert.Equal(VirtioLabRun.HotplugSerial, VirtioLabRun.Value(guest, "hotplug-serial"));
        Assert.Equal(VirtioLabRun.HotplugMarker, VirtioLabRun.Value(guest, "hotplug-head"));
        Assert.DoesNotContain("vda", (VirtioLabRun.Value(guest, "unplugged-blocks") ?? "").Split(','));
        Assert.Equal("0", VirtioLabRun.Value(guest, "unplugged-virtio"));
        Assert.Contains(job.OutputLines, l => l.StartsWith("qmp: ", StringComparison.Ordinal) && l.Contains("\"DEVICE_DELETED\"", StringComparison.Ordinal) && l.Contains("hp0", StringComparison.Ordinal));
        Assert.Contains("emu-exit=0", job.OutputLines);
    }
}
