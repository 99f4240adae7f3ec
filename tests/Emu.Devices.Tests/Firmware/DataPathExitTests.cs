using Emu.Accel.Kvm;
using Emu.Core.Machines;
using Emu.Devices.Block;
using Emu.Devices.Pc;
using Emu.Devices.Virtio.Blk;
using Emu.Lab;

namespace Emu.Devices.Tests.Firmware;

// The data path bypasses the VMM: with ioeventfd, queue notifications never
// reach the vCPU thread. The firmware's IOPS loop at queue depth 1 notifies
// the device for every request, so 20,000 more requests would be 20,000
// more exits if notifications went through the VMM.
public sealed class DataPathExitTests : IDisposable
{
    private readonly string _image = Path.Combine(Directory.CreateTempSubdirectory("emu-exits-").FullName, "disk.img");

    public DataPathExitTests()
    {
        using var f = File.Create(_image);
        f.SetLength(16 << 20);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_image)!, recursive: true);

    private async Task<(long Exits, bool IoEventFds, long Requests)> Run(int requests)
    {
        using var kvm = KvmAccelerator.Open();
        var machine = (Q35Machine)DeviceCatalog.CreateRegistry().Find("q35")!.CreateInstance();
        using (machine)
        {
            machine.RamSize = 64UL << 20;
            using (Stream rom = typeof(Emu.Host.Program).Assembly.GetManifestResourceStream("emu-firmware.rom")!)
            {
                machine.Firmware = new byte[rom.Length];
                rom.ReadExactly(machine.Firmware);
            }
            machine.Initialize(kvm);
            machine.FwCfg!.AddFile("opt/emu/mode", System.Text.Encoding.ASCII.GetBytes($"blk-iops:1:{requests}"));
            var drive = new BlockDrive("d0", RawFileBackend.Open(_image, readOnly: false, direct: false), _image);
            machine.Own(drive);
            machine.RegisterBackend("d0", drive);
            var device = (VirtioBlkPci)VirtioBlkPci.TypeInfo.CreateInstance();
            device.SetText("drive", "d0");
            machine.AddDevice(device);
            machine.Start();
            MachineExit exit = await machine.Controller.Completion.WaitAsync(TimeSpan.FromMinutes(5));
            Assert.Equal(ShutdownCause.GuestPowerOff, exit.Cause);
            var blk = (VirtioBlockDevice)device.VirtioDevice!;
            return (machine.Controller.Vcpus.Sum(v => v.ExitCount), device.UsesIoEventFds, blk.Requests);
        }
    }

    [KvmFact]
    public async Task Queue_notifications_do_not_exit_to_the_vmm()
    {
        var small = await Run(2_000);
        var large = await Run(22_000);
        Assert.True(small.IoEventFds && large.IoEventFds, "KVM offers ioeventfd here");
        Assert.Equal(2_000, small.Requests);
        Assert.Equal(22_000, large.Requests);
        // The set-up (PCI enumeration, the PM timer calibration) costs the same
        // few thousand exits in both runs; the 20,000 extra requests add none.
        Assert.True(large.Exits - small.Exits < 5_000, $"exits: {small.Exits} for 2,000 requests, {large.Exits} for 22,000");
    }
}
