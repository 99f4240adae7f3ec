using System.Diagnostics;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Memory;

namespace Emu.Core.Migration;

/// <summary>
/// Sends a machine to a destination (another emu, or a file for a snapshot),
/// on a thread of its own.
///
/// A running guest migrates live: all of RAM is sent while it runs, with its
/// writes logged (<see cref="DirtyPageLog"/>, <see cref="IDirtyMemoryTracking"/>);
/// then, round after round, the pages it dirtied meanwhile, until what is left
/// (dirty RAM and device data) could be sent within the downtime limit at the
/// bandwidth the last round achieved. Then the guest stops (finish-migrate,
/// devices quiesced), the last dirty pages, the devices' data and every
/// section go out, and End. On a socket the destination then answers; the
/// migration completes only on its yes, and the source stays stopped in
/// postmigrate. A stopped guest (a snapshot: stop, then migrate file:) is
/// saved in one pass.
///
/// Anything that goes wrong (a device that cannot migrate, the transport
/// breaking, the destination refusing, a cancel) fails the migration and
/// returns the source to what it was doing: dirty logging off, devices back
/// to work, and a guest that was running runs again.
/// </summary>
public sealed class OutgoingMigration
{
    private readonly Machine _machine;
    private readonly Stream _output;
    private readonly Stream? _returnPath;
    private readonly Func<MigrationParameters> _parameters;
    private readonly MigrationStreamWriter _writer;
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = new();
    private volatile MigrationStatus _status = MigrationStatus.None;
    private long _remainingBytes;
    private long _dirtySyncCount;
    private long _dirtyPagesRate;
    private long _expectedDowntimeMs;
    private long _setupTimeMs;
    private long _downtimeMs = -1;
    private long _totalTimeMs = -1;
    private long _precopyBytes;
    private long _deviceDataBytes;
    private double _mbps;

    /// <param name="output">The transport; the caller closes it when the migration has finished.</param>
    /// <param name="returnPath">Where the destination answers (the socket, unbuffered), or null (a file).</param>
    /// <param name="parameters">Read at every round, so migrate-set-parameters takes effect in flight.</param>
    public OutgoingMigration(Machine machine, Stream output, Stream? returnPath, Func<MigrationParameters> parameters)
    {
        _machine = machine;
        _output = output;
        _returnPath = returnPath;
        _parameters = parameters;
        _writer = new MigrationStreamWriter(output);
        TotalBytes = (long)machine.Ram.TotalSize;
    }

    /// <summary>Raised (on the migration's thread) whenever <see cref="Status"/> changes.</summary>
    public event Action<MigrationStatus>? StatusChanged;

    public MigrationStatus Status => _status;

    /// <summary>Why the migration failed, once it has.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes when the migration has finished, whatever the outcome.</summary>
    public Task Completion => _done.Task;

    public long TransferredBytes => _writer.BytesWritten;

    public long RemainingBytes => Interlocked.Read(ref _remainingBytes);

    public long TotalBytes { get; }

    public long DuplicatePages => _writer.ZeroPages;

    public long NormalPages => _writer.NormalPages;

    public long NormalBytes => _writer.NormalPages * MigrationStreamFormat.PageSize;

    public long DirtyPagesRate => Interlocked.Read(ref _dirtyPagesRate);

    public long DirtySyncCount => Interlocked.Read(ref _dirtySyncCount);

    public double Mbps => Volatile.Read(ref _mbps);

    public long PrecopyBytes => Interlocked.Read(ref _precopyBytes);

    public long DowntimeBytes => Math.Max(0, TransferredBytes - PrecopyBytes);

    /// <summary>Bytes of device data (VFIO) sent.</summary>
    public long DeviceDataBytes => Interlocked.Read(ref _deviceDataBytes);

    public long ExpectedDowntimeMs => Interlocked.Read(ref _expectedDowntimeMs);

    public long SetupTimeMs => Interlocked.Read(ref _setupTimeMs);

    /// <summary>The downtime: from the stop to the destination's answer that it has loaded the VM (for a file, to the last byte written); -1 until completed.</summary>
    public long DowntimeMs => Interlocked.Read(ref _downtimeMs);

    /// <summary>Milliseconds since the start, or the whole migration's once finished.</summary>
    public long TotalTimeMs
    {
        get
        {
            long total = Interlocked.Read(ref _totalTimeMs);
            return total >= 0 ? total : _clock.ElapsedMilliseconds;
        }
    }

    /// <summary>Starts the migration on its own thread.</summary>
    public void Start()
    {
        if (_status != MigrationStatus.None)
            throw new InvalidOperationException("the migration was started already");
        _clock.Start();
        SetStatus(MigrationStatus.Setup);
        new Thread(Run) { IsBackground = true, Name = "migration-out" }.Start();
    }

    /// <summary>
    /// migrate_cancel: stops sending at the next page run (the caller may also
    /// close the transport to end a blocked write) and returns the source to
    /// what it was doing.
    /// </summary>
    public void Cancel()
    {
        if (MigrationStatusNames.IsFinished(_status))
            return;
        SetStatus(MigrationStatus.Cancelling);
        _cancel.Cancel();
    }

    private void SetStatus(MigrationStatus status)
    {
        if (_status == status)
            return;
        _status = status;
        StatusChanged?.Invoke(status);
    }

    private void Run()
    {
        bool stoppedByUs = false;
        bool wasRunning = false;
        IReadOnlyList<IMigrationDataDevice> dataDevices = Array.Empty<IMigrationDataDevice>();
        DirtyPageLog log = _machine.Ram.DirtyLog;
        IDirtyMemoryTracking? tracking = null;
        try
        {
            IReadOnlyList<string> blockers = _machine.MigrationBlockers();
            if (blockers.Count > 0)
                throw new MigrationException(string.Join("; ", blockers));
            wasRunning = _machine.State == RunState.Running;
            if (wasRunning && _machine.Vm.DirtyTracking == null)
                throw new MigrationException($"the {_machine.AcceleratorName} accelerator cannot track the pages a running guest writes: stop the VM first");
            _writer.WriteHeader();
            _writer.WriteConfiguration(_machine.MigrationConfiguration(wasRunning));
            dataDevices = _machine.Devices.OfType<IMigrationDataDevice>().ToArray();
            foreach (IMigrationDataDevice device in dataDevices)
                device.BeginOutgoing(wasRunning);
            Interlocked.Exchange(ref _setupTimeMs, _clock.ElapsedMilliseconds);
            ThrowIfCancelled();
            SetStatus(MigrationStatus.Active);

            if (wasRunning)
            {
                tracking = _machine.Vm.DirtyTracking!;
                log.Start(_machine.Ram.Ranges.Select(r => (r.Start.Value, r.Size)));
                tracking.Start(log);
                StartDeviceDirtyLogs();
                log.MarkAll();
                Precopy(log, tracking, dataDevices);
            }

            long downtimeStart = _clock.ElapsedMilliseconds;
            Interlocked.Exchange(ref _precopyBytes, _writer.BytesWritten);
            _machine.PauseForMigration().GetAwaiter().GetResult();
            stoppedByUs = true;
            ThrowIfCancelled();
            if (tracking != null)
            {
                tracking.Collect(log);
                CollectDeviceDirty(log);
                SendPages(log.Harvest(), limiter: null);
            }
            else
            {
                SendAllRam();
            }
            foreach (IMigrationDataDevice device in dataDevices)
                Interlocked.Add(ref _deviceDataBytes, device.SendStopCopy(data => _writer.WriteDeviceData(device.MigrationDataId, data)));
            foreach (MigrationSection section in _machine.MigrationSections())
                _writer.WriteSection(section);
            _writer.WriteEnd();
            if (_returnPath != null)
                MigrationReturnPath.ReadReply(_returnPath);
            Interlocked.Exchange(ref _downtimeMs, _clock.ElapsedMilliseconds - downtimeStart);
            Interlocked.Exchange(ref _remainingBytes, 0);
            StopTracking(log, tracking);
            foreach (IMigrationDataDevice device in dataDevices)
                device.EndOutgoing(completed: true);
            _machine.SetStoppedState(RunState.PostMigrate).GetAwaiter().GetResult();
            Finish(MigrationStatus.Completed);
        }
        catch (Exception e)
        {
            bool cancelled = _cancel.IsCancellationRequested;
            Error = cancelled ? "migration cancelled" : DestinationReason(e) ?? Describe(e);
            StopTracking(log, tracking);
            foreach (IMigrationDataDevice device in dataDevices)
                EndQuietly(device);
            if (stoppedByUs)
            {
                // Back to what the source was doing: devices resume with the guest.
                Task back = wasRunning ? _machine.Resume() : _machine.SetStoppedState(RunState.Paused);
                back.GetAwaiter().GetResult();
            }
            Finish(cancelled ? MigrationStatus.Cancelled : MigrationStatus.Failed);
        }
    }

    private void Finish(MigrationStatus status)
    {
        _clock.Stop();
        Interlocked.Exchange(ref _totalTimeMs, _clock.ElapsedMilliseconds);
        SetStatus(status);
        _done.TrySetResult();
    }

    private void EndQuietly(IMigrationDataDevice device)
    {
        try
        {
            device.EndOutgoing(completed: false);
        }
        catch (Exception e)
        {
            Error += $"; {device.MigrationName} did not return to running: {e.Message}";
        }
    }

    // A destination that refuses the stream (another machine, a bad section)
    // answers on the return path and closes, often while the source is still
    // writing: the write then breaks, and the destination's answer says why.
    private string? DestinationReason(Exception e)
    {
        if (_returnPath == null || e is not (IOException or ObjectDisposedException))
            return null;
        try
        {
            if (_returnPath.CanTimeout)
                _returnPath.ReadTimeout = 2000;
            MigrationReturnPath.ReadReply(_returnPath);
            return null;
        }
        catch (MigrationException refused) when (refused.InnerException == null)
        {
            return refused.Message;
        }
        catch (Exception unreadable) when (unreadable is MigrationException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            return null; // no answer to read: the stream's own error says what happened
        }
    }

    private static string Describe(Exception e) => e switch
    {
        MigrationException => e.Message,
        IOException or ObjectDisposedException => $"the migration stream broke: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    // Devices that write guest RAM by DMA log it too (IMigrationDirtyPageSource).
    private IMigrationDirtyPageSource[] _dirtySources = [];

    private void StartDeviceDirtyLogs()
    {
        _dirtySources = _machine.Devices.OfType<IMigrationDirtyPageSource>().ToArray();
        foreach (IMigrationDirtyPageSource source in _dirtySources)
            source.StartDirtyLog();
    }

    private void CollectDeviceDirty(DirtyPageLog log)
    {
        foreach (IMigrationDirtyPageSource source in _dirtySources)
            source.CollectDirty(log);
    }

    private void StopTracking(DirtyPageLog log, IDirtyMemoryTracking? tracking)
    {
        foreach (IMigrationDirtyPageSource source in _dirtySources)
        {
            try
            {
                source.StopDirtyLog();
            }
            catch (Exception e) when (e is MigrationException or Posix.PosixException)
            {
                Error = (Error == null ? "" : Error + "; ") + $"stopping a device's dirty page log failed: {e.Message}";
            }
        }
        _dirtySources = [];
        if (tracking == null)
            return;
        tracking.Stop();
        log.Stop();
    }

    private void ThrowIfCancelled()
    {
        if (_cancel.IsCancellationRequested)
            throw new MigrationException("migration cancelled");
    }

    // The live rounds: send what is dirty, measure, and stop iterating once
    // the rest would fit in the downtime limit at the bandwidth the sending
    // achieved (BandwidthMeter: sending time only, in windows of 100 ms).
    private void Precopy(DirtyPageLog log, IDirtyMemoryTracking tracking, IReadOnlyList<IMigrationDataDevice> devices)
    {
        var limiter = new RateLimiter(() => _parameters().MaxBandwidth);
        var bandwidth = new BandwidthMeter();
        while (true)
        {
            ThrowIfCancelled();
            long roundStart = Stopwatch.GetTimestamp();
            tracking.Collect(log);
            CollectDeviceDirty(log);
            IReadOnlyList<(ulong Start, ulong[] Bits)> pages = log.Harvest();
            tracking.RearmAfterHarvest();
            Interlocked.Increment(ref _dirtySyncCount);
            long sendStart = Stopwatch.GetTimestamp();
            long bytesBefore = _writer.BytesWritten;
            SendPages(pages, limiter);
            foreach (IMigrationDataDevice device in devices)
            {
                long budget = Math.Max(1 << 20, _parameters().MaxBandwidth / 10);
                long sent = device.SendPrecopy(data => _writer.WriteDeviceData(device.MigrationDataId, data), budget);
                Interlocked.Add(ref _deviceDataBytes, sent);
                limiter.Sent(sent, _cancel.Token);
            }
            bandwidth.Record(_writer.BytesWritten - bytesBefore, Stopwatch.GetElapsedTime(sendStart).TotalSeconds);
            Volatile.Write(ref _mbps, bandwidth.BytesPerSecond * 8 / 1e6);
            double seconds = Math.Max(Stopwatch.GetElapsedTime(roundStart).TotalSeconds, 1e-4);
            // An accelerator that keeps its own log (KVM) has the pages written during this round there,
            // and a device that writes guest RAM by DMA (VFIO) in its own: count them too.
            tracking.Collect(log);
            CollectDeviceDirty(log);
            long dirtyPages = log.CountDirty();
            Interlocked.Exchange(ref _dirtyPagesRate, (long)(dirtyPages / seconds));
            long deviceBytes = devices.Sum(d => d.PrecopyPendingBytes + d.StopCopyEstimateBytes);
            long remaining = dirtyPages * MigrationStreamFormat.PageSize + deviceBytes;
            Interlocked.Exchange(ref _remainingBytes, remaining);
            long expected = bandwidth.MillisecondsFor(remaining);
            Interlocked.Exchange(ref _expectedDowntimeMs, expected);
            if (expected <= _parameters().DowntimeLimitMs)
                return;
        }
    }

    // Every page whose bit is set, in runs of up to a record's worth.
    private void SendPages(IReadOnlyList<(ulong Start, ulong[] Bits)> pages, RateLimiter? limiter)
    {
        foreach ((ulong start, ulong[] bits) in pages)
        {
            long page = 0;
            long total = (long)bits.Length * 64;
            while (page < total)
            {
                int word = (int)(page / 64);
                ulong remaining = bits[word] >> (int)(page % 64);
                if (remaining == 0)
                {
                    page = (word + 1) * 64L;
                    continue;
                }
                page += System.Numerics.BitOperations.TrailingZeroCount(remaining);
                long first = page;
                while (page < total && page - first < MigrationStreamFormat.MaxPagesPerRecord && (bits[page / 64] & (1UL << (int)(page % 64))) != 0)
                    page++;
                SendRun(start + ((ulong)first << MigrationStreamFormat.PageShift), (int)(page - first), limiter);
            }
        }
    }

    private void SendAllRam()
    {
        foreach ((GuestAddress start, ulong size) in _machine.Ram.Ranges)
        {
            ulong pages = size >> MigrationStreamFormat.PageShift;
            for (ulong p = 0; p < pages; p += MigrationStreamFormat.MaxPagesPerRecord)
                SendRun(start.Value + (p << MigrationStreamFormat.PageShift), (int)Math.Min(MigrationStreamFormat.MaxPagesPerRecord, pages - p), limiter: null);
        }
    }

    private void SendRun(ulong address, int count, RateLimiter? limiter)
    {
        ThrowIfCancelled();
        ulong length = (ulong)count * MigrationStreamFormat.PageSize;
        if (!_machine.Ram.TryGetSpan(new GuestAddress(address), length, out Span<byte> pages))
            return; // RAM that went away (it cannot on q35): nothing to send
        // Pages the guest never touched go out as zero pages unread (GuestMemory.TryFindUnpopulated):
        // one a running guest populates after this look is in the dirty log and goes again.
        Span<bool> unpopulated = stackalloc bool[count];
        if (!_machine.Ram.TryFindUnpopulated(new GuestAddress(address), unpopulated))
            unpopulated = default;
        long before = _writer.BytesWritten;
        _writer.WriteRamPages(address, pages, unpopulated);
        // What the stream carried: a zero page costs a byte of its record's header, not 4 KiB (as in QEMU).
        limiter?.Sent(_writer.BytesWritten - before, _cancel.Token);
    }
}
