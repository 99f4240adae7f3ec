using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// The migration side of a simulated VFIO device, behaving as the kernel's
/// uAPI v2 and the mtty sample driver do: data fds handed out on entering
/// PRE_COPY, STOP_COPY (unless PRE_COPY's carries on) and RESUMING; pre-copy
/// reads that end with 0 (or ENOMSG) while the device runs; STOP_COPY reads
/// the device state to the end; a RESUMING write of a stream the device does
/// not take fails with EFAULT; leaving RESUMING loads what was written.
/// </summary>
internal sealed class FakeMigrationDevice
{
    public FakeMigrationDevice(ulong flags, byte[] state, byte[]? precopy = null)
    {
        Flags = flags;
        State = state;
        Precopy = precopy ?? Array.Empty<byte>();
    }

    public ulong Flags { get; }

    /// <summary>The device's state: what STOP_COPY streams, and what a load replaces.</summary>
    public byte[] State { get; set; }

    /// <summary>What PRE_COPY streams while the device runs (its "initial bytes").</summary>
    public byte[] Precopy { get; }

    public VfioMigrationState Current { get; private set; } = VfioMigrationState.Running;

    /// <summary>Every state the VMM asked for, in order.</summary>
    public List<VfioMigrationState> Requests { get; } = new();

    /// <summary>ENOMSG instead of 0 at the temporary end of pre-copy data.</summary>
    public bool EnomsgAtPrecopyEnd { get; set; }

    /// <summary>Stream writes whose first byte differs from the state's first byte fail with EFAULT (another device type).</summary>
    public bool RejectForeignStreams { get; set; }

    /// <summary>A state the device refuses to enter (EIO), for failure paths.</summary>
    public VfioMigrationState? Refuses { get; set; }

    public int Resets { get; private set; }

    private byte[] _stream = Array.Empty<byte>();
    private int _position;
    private readonly List<byte> _received = new();

    public FileDescriptor? DataFd { get; private set; }

    private static bool HasData(VfioMigrationState s) =>
        s is VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p or VfioMigrationState.StopCopy or VfioMigrationState.Resuming;

    /// <summary>SET; returns a new data fd token or null.</summary>
    public FileDescriptor? Set(VfioMigrationState target, Func<FileDescriptor> newFd)
    {
        Requests.Add(target);
        if (Refuses == target)
        {
            Current = VfioMigrationState.Error;
            throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", 5 /* EIO */);
        }
        if (Current == VfioMigrationState.Error)
            throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", LibC.EINVAL);
        bool p2p = (Flags & VfioDeviceFeatureMigration.P2p) != 0, pre = (Flags & VfioDeviceFeatureMigration.PreCopy) != 0;
        if (target is VfioMigrationState.RunningP2p or VfioMigrationState.PreCopyP2p && !p2p
            || target is VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p && !pre)
            throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", LibC.EINVAL);
        VfioMigrationState from = Current;
        FileDescriptor? fd = null;
        if (from == VfioMigrationState.Resuming && target != VfioMigrationState.Resuming)
        {
            byte[] loaded = _received.ToArray();
            if (loaded.Length != State.Length)
            {
                Current = VfioMigrationState.Error;
                throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", LibC.EINVAL);
            }
            State = loaded;
        }
        switch (target)
        {
            case VfioMigrationState.PreCopy when from is not (VfioMigrationState.PreCopyP2p):
                _stream = Precopy;
                _position = 0;
                fd = newFd();
                break;
            case VfioMigrationState.StopCopy when from is VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p:
                // The pre-copy fd continues: the state follows what was left of the pre-copy data.
                _stream = _stream.Skip(_position).Concat(State).ToArray();
                _position = 0;
                break;
            case VfioMigrationState.StopCopy:
                _stream = State.ToArray();
                _position = 0;
                fd = newFd();
                break;
            case VfioMigrationState.Resuming:
                _received.Clear();
                fd = newFd();
                break;
        }
        if (fd != null)
            DataFd = fd;
        else if (!HasData(target))
            DataFd = null;
        Current = target;
        return fd;
    }

    public (ulong Initial, ulong Dirty) PrecopyInfo()
    {
        if (Current is not (VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p))
            throw new PosixException("VFIO_MIG_GET_PRECOPY_INFO", LibC.EINVAL);
        return ((ulong)(_stream.Length - _position), 0);
    }

    public int Read(FileDescriptor fd, Span<byte> buffer)
    {
        if (fd != DataFd || Current is not (VfioMigrationState.PreCopy or VfioMigrationState.PreCopyP2p or VfioMigrationState.StopCopy))
            return -19; // ENODEV: a disabled migration file
        int n = Math.Min(buffer.Length, _stream.Length - _position);
        if (n == 0 && Current != VfioMigrationState.StopCopy && EnomsgAtPrecopyEnd)
            return -LibC.ENOMSG;
        _stream.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public int Write(FileDescriptor fd, ReadOnlySpan<byte> data)
    {
        if (fd != DataFd || Current != VfioMigrationState.Resuming)
            return -19;
        if (RejectForeignStreams && _received.Count == 0 && data.Length > 0 && State.Length > 0 && data[0] != State[0])
            return -LibC.EFAULT;
        // A short write, as a driver may do: the VMM must write the rest.
        int n = Math.Min(data.Length, 64);
        _received.AddRange(data[..n].ToArray());
        return n;
    }

    public void Reset()
    {
        Resets++;
        Current = VfioMigrationState.Running;
        DataFd = null;
    }
}
