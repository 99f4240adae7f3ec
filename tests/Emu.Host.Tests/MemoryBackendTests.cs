using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Emu.Host.Tests.Qmp;
using Emu.Lab;

namespace Emu.Host.Tests;

// Guest RAM: private anonymous memory on transparent huge pages by default,
// shared memory (a memfd, a file) when -object memory-backend-* asks for it.
public sealed class MemoryBackendTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-memdev-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] s_none = { "-fw_cfg", "name=opt/emu/mode,string=none" };

    private static void AssertBoots(params string[] args)
    {
        EmuProcess run = EmuProcess.Run(args.Concat(new[] { "-fw_cfg", "name=opt/emu/mode,string=selftest" }).ToArray());
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("RESULT: PASS", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [AccelFact]
    public void The_firmware_boots_on_a_shared_memfd() =>
        AssertBoots("-object", "memory-backend-memfd,id=m,size=256M,share=on", "-machine", "memory-backend=m");

    // -m may be left out: the backend's size is the RAM size.
    [AccelFact]
    public void The_firmware_boots_on_a_shared_file_in_a_directory() =>
        AssertBoots("-object", $"memory-backend-file,id=m,size=256M,mem-path={_dir},share=on", "-machine", "memory-backend=m", "-m", "256M");

    // QEMU's file_ram_open creates a missing file in an existing directory and grows it to size=.
    [AccelFact]
    public void The_firmware_boots_on_a_named_file_which_is_created()
    {
        string file = Path.Combine(_dir, "guest.ram");
        AssertBoots("-object", $"memory-backend-file,id=m,size=64M,mem-path={file},share=on", "-machine", "memory-backend=m");
        Assert.Equal(64L << 20, new FileInfo(file).Length);
    }

    [AccelFact]
    public void The_firmware_boots_on_an_explicit_ram_backend() =>
        AssertBoots("-object", "memory-backend-ram,id=m,size=128M", "-machine", "memory-backend=m");

    // Debian's default THP setting is "madvise": private anonymous memory that asks for
    // huge pages gets them at the first touch of each 2 MiB range (a memfd would not:
    // shmem_enabled is "never"). The firmware writes to the first megabytes of RAM.
    [AccelFact]
    public void Guest_RAM_is_on_2_MiB_pages_once_the_guest_touched_it()
    {
        string mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
        Assert.DoesNotContain("[never]", mode);
        const long ramKib = 96 << 10; // a size no other mapping of emu has
        using Process emu = EmuProcess.Start("-m", "96M", "-fw_cfg", "name=opt/emu/mode,string=pio:4000000000");
        try
        {
            bool huge = GuestProcessMemory.WaitUntil(() => GuestProcessMemory.AnonHugePagesOfMapping(emu.Id, ramKib) >= 2048, TimeSpan.FromSeconds(30));
            long rollup = GuestProcessMemory.Kib(emu.Id, "smaps_rollup", "AnonHugePages");
            Assert.True(huge, $"guest RAM has {GuestProcessMemory.AnonHugePagesOfMapping(emu.Id, ramKib)} kB on huge pages (THP: {mode.Trim()}); the process {rollup} kB");
            Assert.True(rollup >= 2048, $"AnonHugePages in smaps_rollup: {rollup} kB");
        }
        finally
        {
            emu.Kill();
            emu.WaitForExit();
        }
    }

    // MAP_NORESERVE and no prealloc: RAM the guest never touched is not resident.
    [AccelFact]
    public void Untouched_guest_RAM_is_not_resident()
    {
        using Process emu = EmuProcess.Start("-m", "4G", "-fw_cfg", "name=opt/emu/mode,string=pio:4000000000");
        try
        {
            Assert.True(GuestProcessMemory.WaitUntil(() => GuestProcessMemory.FieldOfMapping(emu.Id, 4L << 20, "Rss") > 0, TimeSpan.FromSeconds(30)), "the guest did not start");
            long rss = GuestProcessMemory.Kib(emu.Id, "status", "VmRSS");
            Assert.True(rss < 256 << 10, $"VmRSS {rss} kB with -m 4G");
        }
        finally
        {
            emu.Kill();
            emu.WaitForExit();
        }
    }

    [AccelFact]
    public async Task Query_memdev_lists_the_backends_in_QEMUs_shape()
    {
        await using (VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Concat(new[] { "-m", "64M" }).ToArray()))
        await using (QmpTestClient client = await vm.ConnectAsync())
        {
            JsonElement memdev = Assert.Single((await client.ReturnOfAsync("query-memdev")).EnumerateArray());
            Assert.Equal("pc.ram", memdev.GetProperty("id").GetString());
            Assert.Equal(64L << 20, memdev.GetProperty("size").GetInt64());
            Assert.False(memdev.GetProperty("share").GetBoolean());
            Assert.False(memdev.GetProperty("prealloc").GetBoolean());
            Assert.Equal("default", memdev.GetProperty("policy").GetString());
            Assert.Equal(JsonValueKind.Array, memdev.GetProperty("host-nodes").ValueKind);
            foreach (string member in new[] { "merge", "dump", "reserve" })
                Assert.Contains(memdev.GetProperty(member).ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
            Assert.Equal("pc.ram", (await client.ReturnOfAsync("qom-get", new { path = "/machine", property = "memory-backend" })).GetString());
            Assert.Equal("memory-backend-ram", (await client.ReturnOfAsync("qom-get", new { path = "/objects/pc.ram", property = "type" })).GetString());
        }
        await using (VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Concat(new[] { "-object", "memory-backend-memfd,id=mem0,size=64M", "-machine", "memory-backend=mem0" }).ToArray()))
        await using (QmpTestClient client = await vm.ConnectAsync())
        {
            JsonElement memdev = Assert.Single((await client.ReturnOfAsync("query-memdev")).EnumerateArray());
            Assert.Equal("mem0", memdev.GetProperty("id").GetString());
            Assert.True(memdev.GetProperty("share").GetBoolean());
        }
    }

    // hugetlb=on with more huge pages than the host has free: one line, whatever the host's pool.
    [Fact]
    public void Hugetlb_without_the_huge_pages_is_one_clear_line()
    {
        string pool = "/sys/kernel/mm/hugepages/hugepages-2048kB";
        long free = long.Parse(File.ReadAllText(Path.Combine(pool, "free_hugepages")).Trim(), CultureInfo.InvariantCulture);
        long size = (free + 1) * 2;
        EmuProcess run = EmuProcess.Run(s_none.Concat(new[] { "-object", $"memory-backend-memfd,id=m,size={size}M,hugetlb=on,hugetlbsize=2M", "-machine", "memory-backend=m" }).ToArray());
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("emu: memory-backend-memfd 'm': hugetlb=on", line);
        Assert.Contains("huge pages of 2 MiB", line);
    }
}
