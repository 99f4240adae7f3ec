using Emu.Core.Migration;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// One VFIO device's migration state machine (the kernel's uAPI v2,
/// &lt;linux/vfio.h&gt;): VFIO_DEVICE_FEATURE_MIGRATION says which arcs the
/// device has (STOP_COPY always; P2P and PRE_COPY optionally), and
/// VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE moves it. Data flows through a file
/// the kernel hands out on entering PRE_COPY, STOP_COPY or RESUMING:
/// <list type="bullet">
/// <item>Source, guest running: RUNNING → PRE_COPY (data fd; reads give what
/// is ready, 0 or ENOMSG mean "nothing for now"; VFIO_MIG_GET_PRECOPY_INFO
/// estimates what is left) → PRE_COPY_P2P once the guest stops → STOP_COPY (the
/// same fd carries on; reads until 0 give the rest) → STOP on success.</item>
/// <item>Source, guest stopped (a snapshot): RUNNING → RUNNING_P2P → STOP_COPY (new fd) → STOP.</item>
/// <item>Destination: RUNNING → RESUMING (new fd, written in order; a driver
/// that rejects the stream fails write() with EFAULT) → STOP (the device loads
/// the state; an error refuses it) → RUNNING.</item>
/// <item>Failure or cancel on the source: back to RUNNING (a reset when the
/// device will not go), the data fd closed.</item>
/// </list>
/// Every step runs on the migration thread; nothing here is on a fast path.
/// </summary>
internal sealed class VfioMigration : IDisposable
{
    /// <summary>Data is read from the device in pieces of at most this size (each becomes one DeviceData record).</summary>
    public const int ChunkSize = 1 << 20;

    private readonly IVfioSystem _system;
    private readonly FileDescriptor _device;
    private readonly string _who;
    private FileDescriptor? _dataFd;
    private byte[]? _buffer;

    private VfioMigration(IVfioSystem system, FileDescriptor device, string who, ulong flags)
    {
        _system = system;
        _device = device;
        _who = who;
        Flags = flags;
    }

    /// <summary>VFIO_MIGRATION_* of the device.</summary>
    public ulong Flags { get; }

    public bool HasP2p => (Flags & VfioDeviceFeatureMigration.P2p) != 0;

    public bool HasPreCopy => (Flags & VfioDeviceFeatureMigration.PreCopy) != 0;

    /// <summary>Where this VMM last put the device.</summary>
    public VfioMigrationState State { get; private set; } = VfioMigrationState.Running;

    /// <summary>Between <see cref="BeginOutgoing"/> and <see cref="EndOutgoing"/>.</summary>
    public bool Outgoing { get; private set; }

    // A failure while the machine quiesced its devices, reported by SendStopCopy
    // (the machine's controller thread must not throw).
    private MigrationException? _quiesceError;

    /// <summary>The device's stop-copy size estimate at the start of the migration (0 when it gives none).</summary>
    public long StopCopyEstimate { get; private set; }

    /// <summary>The device's migration support, or null when it has none (no STOP_COPY: it cannot migrate).</summary>
    public static VfioMigration? Probe(IVfioSystem system, FileDescriptor device, string who)
    {
        ulong? flags = system.GetMigrationFlags(device);
        if (flags is not { } f || (f & VfioDeviceFeatureMigration.StopCopy) == 0)
            return null;
        return new VfioMigration(system, device, who, f);
    }

    /// <summary>"STOP_COPY|P2P|PRE_COPY", for messages and listings.</summary>
    public static string DescribeFlags(ulong flags)
    {
        var names = new List<string>();
        if ((flags & VfioDeviceFeatureMigration.StopCopy) != 0)
            names.Add("STOP_COPY");
        if ((flags & VfioDeviceFeatureMigration.P2p) != 0)
            names.Add("P2P");
        if ((flags & VfioDeviceFeatureMigration.PreCopy) != 0)
            names.Add("PRE_COPY");
        return names.Count == 0 ? "none" : string.Join('|', names);
    }

    public static string Name(VfioMigrationState state) => state switch
    {
        VfioMigrationState.Error => "ERROR",
        VfioMigrationState.Stop => "STOP",
        VfioMigrationState.Running => "RUNNING",
        VfioMigrationState.StopCopy => "STOP_COPY",
        VfioMigrationState.Resuming => "RESUMING",
        VfioMigrationState.RunningP2p => "RUNNING_P2P",
        VfioMigrationState.PreCopy => "PRE_COPY",
        VfioMigrationState.PreCopyP2p => "PRE_COPY_P2P",
        _ => $"state {(uint)state}",
    };

    private static bool HasData(VfioMigrationState state) =>
        state is VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p or VfioMigrationState.StopCopy or VfioMigrationState.Resuming;

    // One SET. A state with data keeps the fd it had when the kernel returns none
    // (PRE_COPY's fd continues into STOP_COPY); a state without data closes it.
    private void Set(VfioMigrationState target)
    {
        FileDescriptor? fd;
        try
        {
            fd = _system.SetMigrationState(_device, target);
        }
        catch (PosixException e)
        {
            VfioMigrationState from = State;
            State = CurrentStateOr(VfioMigrationState.Error);
            throw new MigrationException($"{_who}: the device did not go from {Name(from)} to {Name(target)}: {e.Message}", e);
        }
        if (fd != null)
        {
            _dataFd?.Dispose();
            _dataFd = fd;
        }
        else if (!HasData(target))
        {
            CloseData();
        }
        State = target;
        if (HasData(target) && _dataFd == null)
            throw new MigrationException($"{_who}: the kernel gave no data fd for {Name(target)}");
    }

    private VfioMigrationState CurrentStateOr(VfioMigrationState fallback)
    {
        try
        {
            return _system.GetMigrationState(_device);
        }
        catch (PosixException)
        {
            return fallback;
        }
    }

    private void CloseData()
    {
        _dataFd?.Dispose();
        _dataFd = null;
    }

    private byte[] Buffer => _buffer ??= new byte[ChunkSize];

    /// <summary>The source starts: with the guest running and a device that has PRE_COPY, pre-copy begins.</summary>
    public void BeginOutgoing(bool live)
    {
        Outgoing = true;
        _quiesceError = null;
        StopCopyEstimate = (long)Math.Min(_system.GetStopCopySize(_device) ?? 0, long.MaxValue);
        if (State != VfioMigrationState.Running)
            Set(VfioMigrationState.Running);
        if (live && HasPreCopy)
            Set(VfioMigrationState.PreCopy);
    }

    /// <summary>Bytes the device says are left in pre-copy (initial + dirty); 0 outside PRE_COPY.</summary>
    public long PrecopyPendingBytes
    {
        get
        {
            if (State != VfioMigrationState.PreCopy || _dataFd == null)
                return 0;
            try
            {
                (ulong initial, ulong dirty) = _system.GetPrecopyInfo(_dataFd);
                return (long)Math.Min(initial + dirty, long.MaxValue);
            }
            catch (PosixException)
            {
                return 0; // an estimate only: the stop-copy phase reads whatever is left
            }
        }
    }

    /// <summary>Reads what pre-copy data is ready now, up to about <paramref name="budget"/> bytes, handing each piece to <paramref name="send"/>.</summary>
    public long SendPrecopy(Action<ReadOnlySpan<byte>> send, long budget)
    {
        if (State != VfioMigrationState.PreCopy || _dataFd == null)
            return 0;
        long sent = 0;
        while (sent < budget)
        {
            int n = _system.ReadData(_dataFd, Buffer);
            // The temporary end of pre-copy data: ENOMSG, or 0 from some drivers (mtty).
            if (n == 0 || n == -LibC.ENOMSG)
                break;
            if (n < 0)
                throw new MigrationException($"{_who}: reading pre-copy data failed: {LibC.ErrorText(-n)} (errno {-n})");
            send(Buffer.AsSpan(0, n));
            sent += n;
        }
        return sent;
    }

    /// <summary>
    /// The guest stopped for the last phase, step one for every device: no more
    /// peer-to-peer DMA (RUNNING_P2P or PRE_COPY_P2P), so that no device is
    /// written by a peer once it stopped. Errors are kept for <see cref="SendStopCopy"/>.
    /// </summary>
    public void QuiesceP2p()
    {
        if (!Outgoing || !HasP2p || _quiesceError != null || State is not (VfioMigrationState.Running or VfioMigrationState.PreCopy))
            return;
        Keep(() => Set(State == VfioMigrationState.PreCopy ? VfioMigrationState.PreCopyP2p : VfioMigrationState.RunningP2p));
    }

    /// <summary>
    /// Step two: STOP_COPY. The device no longer writes guest memory, so the
    /// migration's last dirty-page pass, which follows, sees all its DMA.
    /// </summary>
    public void EnterStopCopy()
    {
        if (!Outgoing || _quiesceError != null || State == VfioMigrationState.StopCopy)
            return;
        Keep(() => Set(VfioMigrationState.StopCopy));
    }

    private void Keep(Action step)
    {
        try
        {
            step();
        }
        catch (MigrationException e)
        {
            _quiesceError = e;
        }
    }

    /// <summary>With the guest stopped: quiesce peer-to-peer DMA (P2P), enter STOP_COPY (unless the quiesce did) and send the rest of the state.</summary>
    public long SendStopCopy(Action<ReadOnlySpan<byte>> send)
    {
        if (_quiesceError != null)
            throw _quiesceError;
        if (State != VfioMigrationState.StopCopy)
        {
            if (HasP2p && State is VfioMigrationState.Running or VfioMigrationState.PreCopy)
                Set(State == VfioMigrationState.PreCopy ? VfioMigrationState.PreCopyP2p : VfioMigrationState.RunningP2p);
            Set(VfioMigrationState.StopCopy);
        }
        long sent = 0;
        while (true)
        {
            int n = _system.ReadData(_dataFd!, Buffer);
            if (n == 0)
                return sent;
            if (n < 0)
                throw new MigrationException($"{_who}: reading the device state (STOP_COPY) failed: {LibC.ErrorText(-n)} (errno {-n})");
            send(Buffer.AsSpan(0, n));
            sent += n;
        }
    }

    /// <summary>
    /// The outgoing migration ended: on success the device stays stopped (the VM
    /// lives on elsewhere); otherwise it runs again, reset if it refuses.
    /// </summary>
    public void EndOutgoing(bool completed)
    {
        Outgoing = false;
        _quiesceError = null;
        if (completed)
        {
            Set(VfioMigrationState.Stop);
            return;
        }
        CloseData();
        if (State == VfioMigrationState.Running)
            return;
        try
        {
            Set(VfioMigrationState.Running);
        }
        catch (MigrationException refused)
        {
            // A reset always returns a VFIO device to RUNNING (uAPI v2), at the
            // cost of the device's state: say so.
            _system.ResetDevice(_device);
            State = VfioMigrationState.Running;
            throw new MigrationException($"{refused.Message}; the device was reset to get it running again", refused);
        }
    }

    /// <summary>
    /// The guest runs again (after a completed snapshot of a stopped VM, `cont`):
    /// a device left stopped runs too. Nothing while a migration is under way.
    /// </summary>
    public void ResumeRunning()
    {
        if (Outgoing || State is not (VfioMigrationState.Stop or VfioMigrationState.RunningP2p))
            return;
        Set(VfioMigrationState.Running);
    }

    /// <summary>The destination: enter RESUMING and keep its data fd for <see cref="Receive"/>.</summary>
    public void BeginIncoming() => Set(VfioMigrationState.Resuming);

    /// <summary>Writes one piece of the stream to the device, in order.</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        if (State != VfioMigrationState.Resuming || _dataFd == null)
            throw new MigrationException($"{_who}: device data arrived while the device is in {Name(State)}, not RESUMING");
        while (!data.IsEmpty)
        {
            int n = _system.WriteData(_dataFd, data);
            // Drivers refuse a stream they cannot take on write(): EFAULT for a
            // bad header, ENOMEM (mtty) for more state than the device has.
            if (n < 0)
                throw new MigrationException($"{_who}: the device refused the source's state (write: {LibC.ErrorText(-n)}, errno {-n}): it is not the same kind of device (another mdev type or device version)");
            if (n == 0)
                throw new MigrationException($"{_who}: the device took no more of its state ({data.Length} bytes left)");
            data = data[n..];
        }
    }

    /// <summary>All data written: the device loads it on leaving RESUMING (an error refuses the stream), then runs.</summary>
    public void EndIncoming()
    {
        Set(VfioMigrationState.Stop);
        Set(VfioMigrationState.Running);
    }

    public void Dispose() => CloseData();
}
