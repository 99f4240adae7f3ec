using Emu.Lab;

namespace Emu.Lab.Tests;

// Initramfs construction against the real kernel modules (no boot).
public class InitramfsLabTests
{
    [LabFact]
    public void Module_dependencies_come_from_kmod_in_load_order()
    {
        var set = KernelModules.Resolve(LabEnvironment.Current, ["kvm_amd", "vfio_pci", "9pnet_virtio"]);
        int Index(string file) => set.Files.ToList().FindIndex(f => f.EndsWith(file, StringComparison.Ordinal));
        Assert.True(Index("/kvm.ko") >= 0 && Index("/kvm.ko") < Index("/kvm-amd.ko"), string.Join('\n', set.Files));
        Assert.True(Index("/vfio.ko") < Index("/vfio-pci.ko"));
        Assert.True(Index("/9pnet.ko") < Index("/9pnet_virtio.ko"));
        Assert.Equal(set.Files.Count, set.Files.Distinct().Count());
        Assert.Contains("kernel/arch/x86/kvm/kvm-amd.ko:", set.ModulesDep);
        Assert.Equal(["kvm_amd", "vfio_pci", "9pnet_virtio"], set.Loadable);
    }

    [LabFact]
    public void Unknown_modules_are_reported()
    {
        var e = Assert.Throws<LabException>(() => KernelModules.Resolve(LabEnvironment.Current, ["no_such_module_xyz"]));
        Assert.Contains("no_such_module_xyz", e.Message);
    }

    [LabFact]
    public void Level2_initramfs_has_init_busybox_and_modules_but_no_passthrough_drivers()
    {
        var env = LabEnvironment.Current;
        string path = Level2Initramfs.GetOrBuild(env);
        Assert.Equal(path, Level2Initramfs.GetOrBuild(env)); // cached
        var entries = CpioReader.Read(File.ReadAllBytes(path)).ToDictionary(e => e.Name);
        Assert.Equal(Level2Initramfs.InitScript, entries["init"].Text);
        Assert.True(entries["bin/busybox"].IsRegularFile);
        Assert.True(entries["dev/console"].IsCharDevice);
        string mods = $"lib/modules/{env.KernelVersion}";
        Assert.Contains($"{mods}/modules.dep", entries.Keys);
        Assert.Contains(entries.Keys, k => k.EndsWith("/kvm-amd.ko", StringComparison.Ordinal));
        Assert.Contains(entries.Keys, k => k.EndsWith("/vfio_iommu_type1.ko", StringComparison.Ordinal));
        Assert.DoesNotContain(entries.Keys, k => k.EndsWith("/nvme.ko", StringComparison.Ordinal) || k.EndsWith("/e1000e.ko", StringComparison.Ordinal));
        Assert.Equal(Level2Initramfs.Modules, entries["etc/lab-modules"].Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [LabFact]
    public void Level3_initramfs_carries_the_check_script_and_its_modules()
    {
        var guest = Level3Guest.Create(new Level3Options { CheckScript = "echo hi", PowerAction = Level3PowerAction.Reboot, Modules = { "virtio_blk", "nvme" } });
        var entries = CpioReader.Read(File.ReadAllBytes(guest.InitrdPath)).ToDictionary(e => e.Name);
        Assert.Equal("echo hi", entries["lab-check.sh"].Text);
        Assert.Equal("reboot\n", entries["etc/lab-power"].Text);
        Assert.Equal("virtio_blk\nnvme\n", entries["etc/lab-modules"].Text);
        Assert.Contains(entries.Keys, k => k.EndsWith("/nvme-core.ko", StringComparison.Ordinal));
        Assert.Equal(LabEnvironment.Current.KernelPath, guest.KernelPath);
        Assert.Contains("-initrd " + guest.InitrdPath, guest.BootArgs);
    }
}
