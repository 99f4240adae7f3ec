using Emu.Core.Migration;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Migration;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

// VFIO device migration (uAPI v2) against a simulated device that behaves as
// the kernel's mtty sample does: the state machine emu drives, the data that
// goes through the stream, and a failed migration leaving the device running.
public sealed class VfioMigrationTests : IDisposable
{
    private const ulong AllFlags = VfioDeviceFeatureMigration.StopCopy | VfioDeviceFeatureMigration.P2p | VfioDeviceFeatureMigration.PreCopy;
    private readonly List<IDisposable> _owned = new();

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    // 96 bytes as mtty-2's state is: a header and two ports, here a recognisable pattern.
    private static byte[] DeviceState(byte seed) => Enumerable.Range(0, 96).Select(i => (byte)(seed + i * 7)).ToArray();

    private (Q35TestVm Vm, VfioPciDevice Device, FakeVfioKernel Kernel, FakeMigrationDevice Migration) Vm(FakeMigrationDevice? migration, bool incoming = false)
    {
        var function = Own(new FakePciFunction());
        function.Migration = migration;
        var kernel = Own(new FakeVfioKernel(function));
        VfioPciDevice? device = null;
        var vm = Own(new Q35TestVm("q35-2.0", incoming, 1, machine =>
        {
            device = (VfioPciDevice)VfioPciDevice.TypeInfo.CreateInstance();
            device.Syscalls = kernel;
            device.SetText("host", function.Name);
            device.Id = "mtty0";
            machine.AddDevice(device);
        }));
        return (vm, device!, kernel, migration!);
    }

    [Fact]
    public void A_device_with_stop_copy_migrates_and_one_without_blocks_by_name()
    {
        var (with, device, _, _) = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        Assert.Null(device.MigrationBlocker);
        Assert.Equal(AllFlags, device.Migration!.Flags);
        Assert.Empty(with.Machine.MigrationBlockers());

        var (without, _, _, _) = Vm(null);
        string blocker = Assert.Single(without.Machine.MigrationBlockers());
        Assert.Contains("'mtty0' (vfio-pci) cannot migrate", blocker);
        Assert.Contains("no VFIO migration support", blocker);
    }

    [Fact]
    public void A_snapshot_moves_the_device_state_into_the_destination_device()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        byte[] stream = source.Vm.SaveStream();
        // A stopped guest: quiesce peer-to-peer DMA, stream the state, stay stopped.
        Assert.Equal([VfioMigrationState.RunningP2p, VfioMigrationState.StopCopy, VfioMigrationState.Stop], source.Migration.Requests);
        Assert.Null(source.Migration.DataFd);

        var destination = Vm(new FakeMigrationDevice(AllFlags, new byte[96]), incoming: true);
        IncomingMigration incoming = destination.Vm.LoadStream(stream);
        Assert.True(incoming.Error == null, incoming.Error);
        Assert.Equal(DeviceState(1), destination.Migration.State);
        Assert.Equal([VfioMigrationState.Resuming, VfioMigrationState.Stop, VfioMigrationState.Running], destination.Migration.Requests);
        Assert.Equal(VfioMigrationState.Running, destination.Migration.Current);
    }

    [Fact]
    public void After_a_snapshot_the_device_runs_again_with_the_guest()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        source.Vm.SaveStream();
        Assert.Equal(VfioMigrationState.Stop, source.Migration.Current);
        source.Device.ResumeActivity();
        Assert.Equal(VfioMigrationState.Running, source.Migration.Current);
        // Running already: nothing more is asked of it.
        source.Device.ResumeActivity();
        Assert.Equal(VfioMigrationState.Running, source.Migration.Requests[^1]);
        Assert.Equal(4, source.Migration.Requests.Count);
    }

    [Fact]
    public void A_destination_device_that_refuses_the_stream_fails_the_load_naming_it()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        byte[] stream = source.Vm.SaveStream();
        var destination = Vm(new FakeMigrationDevice(AllFlags, DeviceState(2)) { RejectForeignStreams = true }, incoming: true);
        IncomingMigration incoming = destination.Vm.LoadStream(stream);
        Assert.Contains("refused the source's state", incoming.Error);
        Assert.Contains("vfio-pci 0000:01:00.0", incoming.Error);
        Assert.Equal(DeviceState(2), destination.Migration.State);
    }

    [Fact]
    public void A_destination_device_of_another_size_refuses_the_state_when_leaving_resuming()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        byte[] stream = source.Vm.SaveStream();
        var destination = Vm(new FakeMigrationDevice(AllFlags, new byte[56]), incoming: true);
        IncomingMigration incoming = destination.Vm.LoadStream(stream);
        Assert.Contains("did not go from RESUMING to STOP", incoming.Error);
    }

    [Fact]
    public async Task A_failed_migration_returns_the_device_to_running_with_its_state()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)) { Refuses = VfioMigrationState.StopCopy });
        var migration = new OutgoingMigration(source.Vm.Machine, new MemoryStream(), null, () => new MigrationParameters());
        migration.Start();
        await migration.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(MigrationStatus.Failed, migration.Status);
        Assert.Contains("did not go from RUNNING_P2P to STOP_COPY", migration.Error);
        // The device was in ERROR: a reset is what brings a VFIO device back to RUNNING.
        Assert.Equal(VfioMigrationState.Running, source.Migration.Current);
        Assert.Equal(1, source.Migration.Resets);
        Assert.Contains("reset to get it running again", migration.Error);
        Assert.Null(source.Migration.DataFd);
    }

    [Fact]
    public async Task A_broken_stream_after_the_device_data_returns_the_device_to_running()
    {
        var source = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1)));
        var output = new BreakingStream(() => source.Migration.Requests.Contains(VfioMigrationState.StopCopy));
        var migration = new OutgoingMigration(source.Vm.Machine, output, null, () => new MigrationParameters());
        migration.Start();
        await migration.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(MigrationStatus.Failed, migration.Status);
        Assert.Contains("stream broke", migration.Error);
        Assert.Equal(VfioMigrationState.Running, source.Migration.Requests[^1]);
        Assert.Equal(VfioMigrationState.Running, source.Migration.Current);
        Assert.Equal(0, source.Migration.Resets);
        Assert.Null(source.Migration.DataFd);
        Assert.Equal(DeviceState(1), source.Migration.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pre_copy_sends_what_is_ready_then_stop_copy_continues_on_the_same_fd(bool enomsg)
    {
        byte[] precopy = Enumerable.Range(0, 40).Select(i => (byte)(0xA0 + i)).ToArray();
        var (_, device, kernel, fake) = Vm(new FakeMigrationDevice(AllFlags, DeviceState(1), precopy) { EnomsgAtPrecopyEnd = enomsg });
        IMigrationDataDevice data = device;
        int handedBefore = kernel.HandedOut.Count;

        data.BeginOutgoing(live: true);
        Assert.Equal(VfioMigrationState.PreCopy, fake.Current);
        Assert.Equal(40, data.PrecopyPendingBytes);
        Assert.Equal(96, data.StopCopyEstimateBytes);
        var sent = new List<byte>();
        Assert.Equal(40, data.SendPrecopy(b => sent.AddRange(b.ToArray()), budget: 1 << 20));
        Assert.Equal(precopy, sent);
        Assert.Equal(0, data.PrecopyPendingBytes);
        // Nothing more for now: 0 or ENOMSG, not an error and not the end.
        Assert.Equal(0, data.SendPrecopy(b => sent.AddRange(b.ToArray()), budget: 1 << 20));

        Assert.Equal(96, data.SendStopCopy(b => sent.AddRange(b.ToArray())));
        Assert.Equal(precopy.Concat(DeviceState(1)), sent);
        Assert.Equal([VfioMigrationState.PreCopy, VfioMigrationState.PreCopyP2p, VfioMigrationState.StopCopy], fake.Requests);
        Assert.Equal(handedBefore + 1, kernel.HandedOut.Count); // one data fd for both phases
        data.EndOutgoing(completed: true);
        Assert.Equal(VfioMigrationState.Stop, fake.Current);
        Assert.True(kernel.HandedOut[^1].IsClosed, "the data fd is closed once the device stopped");
    }

    [Fact]
    public void A_device_without_p2p_or_pre_copy_goes_straight_to_stop_copy()
    {
        var (_, device, _, fake) = Vm(new FakeMigrationDevice(VfioDeviceFeatureMigration.StopCopy, DeviceState(3)));
        IMigrationDataDevice data = device;
        data.BeginOutgoing(live: true);
        Assert.Equal(0, data.SendPrecopy(_ => Assert.Fail("no pre-copy"), 1 << 20));
        var sent = new List<byte>();
        data.SendStopCopy(b => sent.AddRange(b.ToArray()));
        Assert.Equal(DeviceState(3), sent);
        data.EndOutgoing(completed: false);
        Assert.Equal([VfioMigrationState.StopCopy, VfioMigrationState.Running], fake.Requests);
    }

    // Writes until the device has begun its stop-copy, then fails as a closed socket does.
    private sealed class BreakingStream(Func<bool> broken) : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (broken())
                throw new IOException("connection reset by peer");
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
            if (broken())
                throw new IOException("connection reset by peer");
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
