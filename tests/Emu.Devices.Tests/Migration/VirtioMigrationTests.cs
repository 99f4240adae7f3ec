using System.Text;
using CsCheck;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Migration;
using Emu.Devices.Block;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Virtio;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using Emu.Devices.Virtio.Console;
using Emu.Devices.Virtio.Rng;

namespace Emu.Devices.Tests.Migration;

// The virtio-pci transport and virtio devices in the migration stream: a
// live virtio-blk function saved on one q35 machine and loaded on another
// (both on the same disk, as shared storage) goes on where it stopped, a
// request made while the guest was stopped is served on the destination
// and never on the source, requests in flight are completed before the save,
// the device's writes to guest RAM are logged as dirty, and every value of
// the section that could hurt the destination is refused by name.
public sealed class VirtioMigrationTests
{
    private const ulong DataA = 0x300000, DataB = 0x301000, DataC = 0x302000;

    private static VirtioBlkPci AddDisk(Q35Machine machine, IBlockBackend disk)
    {
        machine.RegisterBackend("d0", new BlockDrive("d0", disk, "test disk"));
        var device = (VirtioBlkPci)VirtioBlkPci.TypeInfo.CreateInstance();
        device.SetText("drive", "d0");
        machine.AddDevice(device, "disk0");
        return device;
    }

    private static byte[] Pattern(byte seed) => Enumerable.Range(0, 512).Select(i => (byte)(seed + i)).ToArray();

    [Fact]
    public void A_live_virtio_blk_function_comes_back_as_it_was_saved()
    {
        var disk = new MemoryBlockBackend(1 << 20);
        VirtioBlkPci? blk = null;
        using var source = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(source.Machine, blk!);
        QueueDriver queue = driver.Activate();
        source.Machine.Ram.WriteBytes(new GuestAddress(DataA), Pattern(1));
        driver.SubmitBlock(queue, 0, write: true, sector: 3, DataA);
        driver.WaitForUsed(queue, 1);
        blk!.QuiesceActivity();
        Dictionary<string, byte[]> saved = source.SaveSections();
        byte[] stream = source.SaveStream();

        VirtioBlkPci? loaded = null;
        using var destination = new Q35TestVm(incoming: true, devices: m => loaded = AddDisk(m, disk));
        IncomingMigration load = destination.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
        loaded!.QuiesceActivity();
        // The function's section (the rest of the machine is MachineStateTests').
        Assert.Empty(StateComparison.Differences(Only(saved, blk.CanonicalPath), destination.SaveSections()));
        Assert.Equal(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk, loaded.Status);
    }

    [Fact]
    public void A_request_made_while_the_guest_was_stopped_is_served_on_the_destination_only()
    {
        var disk = new MemoryBlockBackend(1 << 20);
        VirtioBlkPci? blk = null;
        using var source = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(source.Machine, blk!);
        QueueDriver queue = driver.Activate();
        source.Machine.Ram.WriteBytes(new GuestAddress(DataA), Pattern(1));
        driver.SubmitBlock(queue, 0, write: true, sector: 3, DataA);
        driver.WaitForUsed(queue, 1);
        // The migration's last phase stops the device; the driver then adds a write and notifies.
        blk!.QuiesceActivity();
        source.Machine.Ram.WriteBytes(new GuestAddress(DataB), Pattern(77));
        driver.SubmitBlock(queue, 1, write: true, sector: 9, DataB);
        byte[] stream = source.SaveStream();

        VirtioBlkPci? loaded = null;
        using var destination = new Q35TestVm(incoming: true, devices: m => loaded = AddDisk(m, disk));
        IncomingMigration load = destination.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
        QueueDriver after = QueueDriver.Resume(destination.Machine.Ram, 0x100000, 16);
        VirtioPciRig.WaitFor(() => after.UsedIndex == 2, "the destination serves the request made while stopped");
        var destinationDriver = new VirtioFunctionDriver(destination.Machine, loaded!);
        Assert.Equal(VirtioBlk.StatusOk, destinationDriver.BlockStatus(1));
        Assert.Equal(Pattern(77), disk.Contents(9 * 512, 512).ToArray());
        // The source, stopped after the migration, never touched the request.
        Assert.Equal(1, queue.UsedIndex);
        Assert.Equal(0xFF, driver.BlockStatus(1));

        // The destination's queue goes on: a read of the first write, with EVENT_IDX bookkeeping carried over.
        destinationDriver.SubmitBlock(after, 2, write: false, sector: 3, DataC);
        destinationDriver.WaitForUsed(after, 3);
        byte[] read = new byte[512];
        destination.Machine.Ram.ReadBytes(new GuestAddress(DataC), read);
        Assert.Equal(Pattern(1), read);
    }

    [Fact]
    public void A_request_in_flight_is_completed_before_the_state_is_saved()
    {
        var disk = new GatedBlockBackend();
        VirtioBlkPci? blk = null;
        using var source = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(source.Machine, blk!);
        QueueDriver queue = driver.Activate();
        // A flush that the disk holds: the worker is inside the request.
        ulong header = 0x200000;
        source.Machine.Ram.Write(new GuestAddress(header), (ulong)VirtioBlk.TypeFlush);
        source.Machine.Ram.Write(new GuestAddress(header + 8), 0UL);
        queue.SetDescriptor(0, header, 16, VirtqDescriptor.FlagNext, 1);
        queue.SetDescriptor(1, header + 16, 1, VirtqDescriptor.FlagWrite);
        queue.Publish(0);
        driver.Write(0x3000, 2, 0);
        Assert.True(disk.Entered.WaitOne(TimeSpan.FromSeconds(30)), "the flush never reached the disk");

        Thread quiesce = VirtioPciRig.Start("quiesce", () => blk!.QuiesceActivity());
        VirtioPciRig.WaitUntilBlocked(quiesce);
        Assert.Equal(0, queue.UsedIndex);
        disk.Open();
        Assert.True(quiesce.Join(TimeSpan.FromSeconds(30)), "quiescing never finished");
        Assert.Equal(1, queue.UsedIndex);
        var state = new StateReader("disk", SaveSection(blk!));
        Assert.Equal(1, state.ReadU16("virtio.q0.used_idx"));
        Assert.Equal(1, state.ReadU16("virtio.q0.last_avail_idx"));
    }

    [Fact]
    public void What_the_device_writes_into_guest_ram_is_logged_as_dirty_during_a_migration()
    {
        var disk = new MemoryBlockBackend(1 << 20);
        disk.Contents(5 * 512, 512).Fill(0x5A);
        VirtioBlkPci? blk = null;
        using var vm = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(vm.Machine, blk!);
        QueueDriver queue = driver.Activate();
        DirtyPageLog log = vm.Machine.Ram.DirtyLog;
        log.Start(vm.Machine.Ram.Ranges.Select(r => (r.Start.Value, r.Size)));
        try
        {
            driver.SubmitBlock(queue, 0, write: false, sector: 5, DataB);
            driver.WaitForUsed(queue, 1);
            HashSet<ulong> dirty = DirtyPages(log);
            Assert.Contains(DataB >> 12, dirty);           // the data the disk read
            Assert.Contains(queue.Used >> 12, dirty);      // the used ring
            Assert.Contains(0x200000UL >> 12, dirty);      // the status byte
            Assert.DoesNotContain(DataA >> 12, dirty);     // a page nothing wrote
        }
        finally
        {
            log.Stop();
        }
        Assert.Equal(0x5A, vm.Machine.Ram.Read<byte>(new GuestAddress(DataB)));
    }

    private static HashSet<ulong> DirtyPages(DirtyPageLog log)
    {
        var pages = new HashSet<ulong>();
        foreach ((ulong start, ulong[] bits) in log.Harvest())
        {
            for (int i = 0; i < bits.Length * 64; i++)
            {
                if ((bits[i / 64] & (1UL << (i % 64))) != 0)
                    pages.Add((start >> 12) + (ulong)i);
            }
        }
        return pages;
    }

    private static byte[] SaveSection(Device device)
    {
        var writer = new StateWriter(device.CanonicalPath);
        device.SaveState(writer);
        return writer.Written.ToArray();
    }

    // A live function's section with one field changed; returns the load's error.
    private static string LoadChanged(string field, Func<byte[], byte[]> change)
    {
        var disk = new MemoryBlockBackend(1 << 20);
        VirtioBlkPci? blk = null;
        using var source = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(source.Machine, blk!);
        QueueDriver queue = driver.Activate();
        driver.SubmitBlock(queue, 0, write: false, sector: 1, DataA);
        driver.WaitForUsed(queue, 1);
        blk!.QuiesceActivity();
        byte[] payload = SaveSection(blk);
        string id = blk.CanonicalPath;
        byte[] changed = StateComparison.WithField(id, payload, field, change);

        VirtioBlkPci? target = null;
        using var destination = new Q35TestVm(incoming: true, devices: m => target = AddDisk(m, new MemoryBlockBackend(1 << 20)));
        // The unchanged section loads: the refusal below is the field's.
        target!.LoadState(new StateReader(id, payload));
        var e = Assert.Throws<MigrationException>(() =>
        {
            var state = new StateReader(id, changed);
            target.LoadState(state);
            state.EnsureAllRead();
        });
        Assert.Contains(id, e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    private static Func<byte[], byte[]> U16(ushort value) => _ => BitConverter.GetBytes(value);

    private static Func<byte[], byte[]> U64(ulong value) => _ => BitConverter.GetBytes(value);

    [Theory]
    [InlineData("virtio.q0.size", 12, "queue 0: BadQueueSize (size 12,")]   // not a power of two
    [InlineData("virtio.q0.size", 512, "queue 0: BadQueueSize (size 512,")]  // above the device's 256
    [InlineData("virtio.q0.size", 0, "queue 0: BadQueueSize (size 0,")]
    [InlineData("virtio.q0.vector", 2, "uses MSI-X vector 2, the table has 2")]
    [InlineData("virtio.config_vector", 9, "configuration changes use MSI-X vector 9, the table has 2")]
    [InlineData("virtio.queues", 2, "the stream has 2 queues, this device has 1")]
    public void Queue_sizes_vectors_and_counts_outside_the_device_are_refused(string field, int value, string message) =>
        Assert.Contains(message, LoadChanged(field, U16((ushort)value)));

    [Theory]
    [InlineData("virtio.q0.desc", 0x7FFF_0000_0000UL, "BadRingAddress")]   // beyond guest RAM
    [InlineData("virtio.q0.desc", 0x100008UL, "BadRingAddress")]          // descriptor table not 16-byte aligned
    [InlineData("virtio.q0.avail", 0x100101UL, "BadRingAddress")]         // available ring not 2-byte aligned
    [InlineData("virtio.q0.used", Q35TestVm.RamSize - 8, "BadRingAddress")] // used ring running off the end of RAM
    public void Ring_addresses_outside_guest_ram_or_misaligned_are_refused(string field, ulong value, string message) =>
        Assert.Contains(message, LoadChanged(field, U64(value)));

    [Fact]
    public void A_used_index_further_behind_than_the_queue_holds_is_refused() =>
        Assert.Contains("chains in use, the queue holds 16", LoadChanged("virtio.q0.used_idx", U16(0xFF00)));

    [Theory]
    [InlineData(0x07, "DRIVER_OK without FEATURES_OK")]
    [InlineData(0x2F, "has bits virtio does not define")]
    public void A_device_status_no_driver_could_reach_is_refused(int status, string message) =>
        Assert.Contains(message, LoadChanged("virtio.status", _ => [(byte)status]));

    [Fact]
    public void Features_the_device_never_offered_are_refused() =>
        Assert.Contains("which this device does not offer", LoadChanged("virtio.driver_features", U64(VirtioFeatures.Version1 | (1UL << 40))));

    [Fact]
    public void An_isr_with_bits_beyond_queue_and_config_is_refused() =>
        Assert.Contains("'virtio.isr' = 4 is out of range", LoadChanged("virtio.isr", _ => [4]));

    [Fact]
    public void An_active_queue_the_driver_never_enabled_is_refused() =>
        Assert.Contains("queue 0 is active but not enabled", LoadChanged("virtio.q0.enabled", _ => [0]));

    [Fact]
    public void Corrupted_virtio_sections_are_refused_with_migration_exceptions_only()
    {
        var disk = new MemoryBlockBackend(1 << 20);
        VirtioBlkPci? blk = null;
        using var source = new Q35TestVm(devices: m => blk = AddDisk(m, disk));
        var driver = new VirtioFunctionDriver(source.Machine, blk!);
        QueueDriver queue = driver.Activate();
        driver.SubmitBlock(queue, 0, write: false, sector: 1, DataA);
        driver.WaitForUsed(queue, 1);
        blk!.QuiesceActivity();
        byte[] saved = SaveSection(blk);
        string id = blk.CanonicalPath;

        VirtioBlkPci? target = null;
        using var destination = new Q35TestVm(incoming: true, devices: m => target = AddDisk(m, new MemoryBlockBackend(1 << 20)));
        Gen.Select(Gen.Int[0, 1 << 20], Gen.Byte, Gen.Int[0, 2]).Sample((at, value, how) =>
        {
            byte[] payload = (byte[])saved.Clone();
            int position = at % payload.Length;
            switch (how)
            {
                case 0:
                    payload[position] ^= (byte)(value | 1);
                    break;
                case 1:
                    payload = payload[..position];
                    break;
                default:
                    payload[position] = value;
                    break;
            }
            try
            {
                var state = new StateReader(id, payload);
                target!.LoadState(state);
                state.EnsureAllRead();
                target.PostLoad();
            }
            catch (MigrationException e)
            {
                Assert.Contains(id, e.Message, StringComparison.Ordinal);
            }
        }, iter: 1500);
    }

    [Fact]
    public void Console_input_not_yet_delivered_and_an_idle_rng_move_with_the_vm()
    {
        RecordingChardev? sourceConsole = null;
        using var source = new Q35TestVm(devices: m => sourceConsole = AddConsoleAndRng(m));
        // Typed before the driver gave receive buffers: held by the device.
        Assert.Equal(5, sourceConsole!.Offer("hello"u8));
        Dictionary<string, byte[]> saved = source.SaveSections();
        byte[] stream = source.SaveStream();

        using var destination = new Q35TestVm(incoming: true, devices: m => AddConsoleAndRng(m));
        IncomingMigration load = destination.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
        string console = destination.Machine.Devices.OfType<VirtioSerialPci>().Single().CanonicalPath;
        string rng = destination.Machine.Devices.OfType<VirtioRngPci>().Single().CanonicalPath;
        Assert.Empty(StateComparison.Differences(Only(saved, console, rng), destination.SaveSections()));
        Assert.Equal("hello", Encoding.ASCII.GetString(new StateReader(console, destination.SaveSections()[console]).ReadBytes("dev.input")));
    }

    private static Dictionary<string, byte[]> Only(Dictionary<string, byte[]> sections, params string[] ids) =>
        ids.ToDictionary(id => id, id => sections[id]);

    private static RecordingChardev AddConsoleAndRng(Q35Machine machine)
    {
        var chardev = RecordingChardev.Create();
        machine.RegisterBackend("con0", chardev);
        var console = (VirtioSerialPci)VirtioSerialPci.TypeInfo.CreateInstance();
        console.SetText("chardev", "con0");
        machine.AddDevice(console, "console0");
        machine.AddDevice((VirtioRngPci)VirtioRngPci.TypeInfo.CreateInstance(), "rng0");
        return chardev;
    }
}
