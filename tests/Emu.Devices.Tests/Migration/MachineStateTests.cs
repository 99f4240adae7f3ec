using Emu.Core.Machines;
using Emu.Core.Migration;
using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Migration;

// The whole VM state of a q35 machine on the software CPU, through the real
// save and load paths (a snapshot stream written by OutgoingMigration and
// read by IncomingMigration): every section comes back as it was, a device
// the destination lacks (or has in excess) is named, and a device that cannot
// migrate blocks by name.
public sealed class MachineStateTests
{
    [Fact]
    public void Every_section_comes_back_as_it_was_saved()
    {
        using var source = new Q35TestVm("q35-2.0", cpus: 2);
        // The PIT's square wave would change IRQ 0 between the saves compared here.
        source.StopPitClock();
        // State that differs from power-on: ACPI on with the PM block mapped, bytes in COM1's FIFO, a CMOS byte.
        source.Machine.Lpc!.EnableAcpi(Q35Layout.PmBase);
        source.EnableSerialFifo();
        source.Serial.Uart!.Receive("hi!"u8);
        source.Machine.Rtc!.Rtc!.SetRam(0x40, 0x5A);
        byte[] stream = source.SaveStream();
        Dictionary<string, byte[]> saved = source.SaveSections();

        using var destination = new Q35TestVm("q35-2.0", incoming: true, cpus: 2);
        IncomingMigration load = destination.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
        Assert.Equal(RunState.Paused, destination.Machine.State);
        Assert.Empty(StateComparison.Differences(saved, destination.SaveSections()));
        Assert.Equal((ulong?)Q35Layout.PmBase, destination.Machine.Lpc!.PmBase);
        Assert.Equal(0x5A, destination.Machine.Rtc!.Rtc!.GetRam(0x40));
    }

    [Fact]
    public void A_source_section_the_destination_lacks_is_refused_by_name()
    {
        using var source = new Q35TestVm("q35-2.0");
        var extra = (Emu.Devices.Serial.IsaSerial)Emu.Devices.Serial.IsaSerial.TypeInfo.CreateInstance();
        extra.SetText("iobase", "0x2f8");
        extra.SetText("irq", "3");
        source.Machine.AddDevice(extra, "serial1");
        byte[] stream = source.SaveStream();
        using var destination = new Q35TestVm("q35-2.0", incoming: true);
        IncomingMigration load = destination.LoadStream(stream);
        Assert.Equal(MigrationStatus.Failed, load.Status);
        Assert.Contains("state for '/machine/unattached/serial1', which this VM does not have", load.Error);
    }

    [Fact]
    public void A_destination_device_the_source_lacks_is_refused_by_name()
    {
        using var source = new Q35TestVm("q35-2.0");
        byte[] stream = source.SaveStream();
        using var destination = new Q35TestVm("q35-2.0", incoming: true);
        var extra = (Emu.Devices.Serial.IsaSerial)Emu.Devices.Serial.IsaSerial.TypeInfo.CreateInstance();
        extra.SetText("iobase", "0x2f8");
        extra.SetText("irq", "3");
        destination.Machine.AddDevice(extra, "serial1");
        IncomingMigration load = destination.LoadStream(stream);
        Assert.Equal(MigrationStatus.Failed, load.Status);
        Assert.Contains("no state for '/machine/unattached/serial1'", load.Error);
    }

    [Fact]
    public void Another_machine_version_is_refused_before_anything_loads()
    {
        using var source = new Q35TestVm("q35-1.0");
        byte[] stream = source.SaveStream();
        using var destination = new Q35TestVm("q35-2.0", incoming: true);
        IncomingMigration load = destination.LoadStream(stream);
        Assert.Contains("Machine type received is 'q35-1.0' and local is 'q35-2.0'", load.Error);
        Assert.Equal(RunState.InMigrate, destination.Machine.State);
    }

    [Fact]
    public async Task A_device_that_cannot_migrate_blocks_the_migration_by_name()
    {
        using var vm = new Q35TestVm("q35-2.0");
        var device = (StatelessTestDevice)StatelessTestDevice.TypeInfo.CreateInstance();
        device.Id = "gadget0";
        vm.Machine.AddDevice(device);
        Assert.Equal(["device 'gadget0' (test-unmigratable) does not support migration"], vm.Machine.MigrationBlockers());
        var stream = new MemoryStream();
        var migration = new OutgoingMigration(vm.Machine, stream, null, () => new MigrationParameters());
        migration.Start();
        await migration.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MigrationStatus.Failed, migration.Status);
        Assert.Contains("'gadget0' (test-unmigratable)", migration.Error);
        Assert.Equal(RunState.Prelaunch, vm.Machine.State);
    }

    [Fact]
    public void The_identity_of_a_pci_function_must_match()
    {
        using var vm = new Q35TestVm("q35-2.0");
        Dictionary<string, byte[]> saved = vm.SaveSections();
        string lpc = vm.Machine.Lpc!.CanonicalPath;
        // The section as if another device sat at 00:1f.0: its device ID changed.
        byte[] other = StateComparison.WithField(lpc, saved[lpc], "pci.config", config =>
        {
            config[2] ^= 0xFF;
            return config;
        });
        var e = Assert.Throws<MigrationException>(() => vm.Machine.Lpc.LoadState(new StateReader(lpc, other)));
        Assert.Contains("(ICH9-LPC): the vendor/device ID in the stream", e.Message);
        Assert.Contains("the destination has another device here", e.Message);
    }
}
