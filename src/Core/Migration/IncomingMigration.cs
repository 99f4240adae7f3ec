using Emu.Core.Machines;

namespace Emu.Core.Migration;

/// <summary>
/// Loads a machine from a migration stream (another emu sending, or a
/// snapshot file), on the caller's thread. The machine was built from the
/// same command line as the source's and started in inmigrate: its vCPU
/// threads have done their power-on reset and wait.
///
/// The stream is checked as it is read: the configuration first (machine
/// type, accelerator, vCPUs, RAM layout must be this VM's), then RAM pages,
/// device data and sections, each validated; a section or device data for
/// an object this VM does not have, a section twice, or one missing at the
/// end refuses the stream with the object's name. Once everything is loaded
/// the devices re-derive their mappings and routes and the machine goes to
/// paused; on a socket the answer goes back to the source; then the guest
/// runs if the source's ran (and emu was not started with -S).
/// </summary>
public sealed class IncomingMigration
{
    private readonly Machine _machine;
    private readonly Stream _input;
    private readonly Stream? _returnPath;
    private readonly Func<bool> _autostart;
    private volatile MigrationStatus _status = MigrationStatus.None;
    private bool _sourceRunning;

    /// <param name="returnPath">Where the answer goes (the socket), or null (a file).</param>
    /// <param name="autostart">Asked at the end: whether the guest may run when the source's did (false with -S).</param>
    public IncomingMigration(Machine machine, Stream input, Stream? returnPath, Func<bool> autostart)
    {
        _machine = machine;
        _input = input;
        _returnPath = returnPath;
        _autostart = autostart;
    }

    public event Action<MigrationStatus>? StatusChanged;

    public MigrationStatus Status => _status;

    public string? Error { get; private set; }

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Whether the loaded guest was started (the source's ran and autostart allowed it).</summary>
    public bool Started { get; private set; }

    private void SetStatus(MigrationStatus status)
    {
        if (_status == status)
            return;
        _status = status;
        StatusChanged?.Invoke(status);
    }

    /// <summary>
    /// Loads the whole stream; returns false (with <see cref="Error"/>) when it was
    /// refused or broke. The source hears that the VM is loaded before the guest
    /// runs here (as QEMU's destination closes its return path before it starts
    /// the VM): the source's downtime ends with the load, not with whenever this
    /// side's vCPU threads next let the answer out, and a source that never hears
    /// it (gone, or the answer lost) leaves this guest stopped, so the guest never
    /// runs on both sides.
    /// </summary>
    public bool Run()
    {
        SetStatus(MigrationStatus.Active);
        var reader = new MigrationStreamReader(_input);
        try
        {
            Load(reader);
            BytesRead = reader.BytesRead;
            Reply(true, "");
        }
        catch (Exception e) when (e is MigrationException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            BytesRead = reader.BytesRead;
            Error = e.Message;
            Reply(false, e.Message);
            SetStatus(MigrationStatus.Failed);
            return false;
        }
        SetStatus(MigrationStatus.Completed);
        if (_sourceRunning && _autostart())
        {
            _machine.Resume().GetAwaiter().GetResult();
            Started = true;
        }
        return true;
    }

    private void Reply(bool loaded, string message)
    {
        if (_returnPath == null)
            return;
        try
        {
            MigrationReturnPath.WriteReply(_returnPath, loaded, message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The source is gone: it fails on its own (no answer), and so does this side if it had not loaded.
            if (loaded)
                throw new MigrationException($"the source went away before it heard the VM was loaded: {e.Message}", e);
        }
    }

    private void Load(MigrationStreamReader reader)
    {
        // Every vCPU thread has done its power-on reset (which may load a
        // kernel into RAM) before any page arrives.
        foreach (VcpuRunner runner in _machine.Controller.Vcpus)
            _machine.Controller.RunOnVcpu(runner.Index, _ => true).GetAwaiter().GetResult();
        reader.ReadHeader();
        if (reader.ReadKind() != MigrationRecordKind.Configuration)
            throw new MigrationException("the migration stream does not begin with the source's configuration");
        MigrationConfiguration source = reader.ReadConfiguration();
        source.CheckCompatibleWith(_machine.MigrationConfiguration(false));
        _sourceRunning = source.SourceRunning;

        var sections = new Dictionary<string, MigrationSection>(StringComparer.Ordinal);
        foreach (MigrationSection section in _machine.MigrationSections())
            sections.Add(section.Id, section);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var dataDevices = _machine.Devices.OfType<IMigrationDataDevice>().ToDictionary(d => d.MigrationDataId, StringComparer.Ordinal);
        var receiving = new List<IMigrationDataDevice>();
        bool sectionsBegun = false;

        while (true)
        {
            MigrationRecordKind kind = reader.ReadKind();
            switch (kind)
            {
                case MigrationRecordKind.RamPages:
                    reader.ReadRamPages(_machine.Ram);
                    break;
                case MigrationRecordKind.DeviceData:
                {
                    (string id, byte[] data) = reader.ReadDeviceData();
                    if (!dataDevices.TryGetValue(id, out IMigrationDataDevice? device))
                        throw new MigrationException($"the stream has device data for '{id}', which this VM does not have (or which cannot take it)");
                    if (!receiving.Contains(device))
                    {
                        device.BeginIncoming();
                        receiving.Add(device);
                    }
                    device.ReceiveData(data);
                    break;
                }
                case MigrationRecordKind.Section:
                {
                    if (!sectionsBegun)
                    {
                        // The devices' opaque data is complete before their sections are loaded.
                        sectionsBegun = true;
                        foreach (IMigrationDataDevice device in receiving)
                            device.EndIncoming();
                    }
                    (string id, uint version, byte[] payload) = reader.ReadSection();
                    if (!sections.TryGetValue(id, out MigrationSection? local))
                        throw new MigrationException($"the stream has state for '{id}', which this VM does not have: start the destination with the source's devices");
                    if (!loaded.Add(id))
                        throw new MigrationException($"the stream has the state of '{id}' twice");
                    if (version > local.Version)
                        throw new MigrationException($"{id}: section version {version} is newer than this build's ({local.Version})");
                    var state = new StateReader(id, payload, version);
                    local.State.LoadState(state);
                    state.EnsureAllRead();
                    break;
                }
                case MigrationRecordKind.End:
                    Finish(sections, loaded, dataDevices, receiving, sectionsBegun);
                    return;
                default:
                    throw new MigrationException("the stream has a second configuration record");
            }
        }
    }

    private void Finish(Dictionary<string, MigrationSection> sections, HashSet<string> loaded,
        Dictionary<string, IMigrationDataDevice> dataDevices, List<IMigrationDataDevice> receiving, bool sectionsBegun)
    {
        if (!sectionsBegun)
        {
            foreach (IMigrationDataDevice device in receiving)
                device.EndIncoming();
        }
        foreach (string id in sections.Keys)
        {
            if (!loaded.Contains(id))
                throw new MigrationException($"the stream has no state for '{id}': the source does not have that device (start the destination with the source's devices)");
        }
        foreach (IMigrationDataDevice device in dataDevices.Values)
        {
            if (!receiving.Contains(device))
                throw new MigrationException($"the stream has no device data for {device.MigrationName}");
        }
        foreach (Device device in _machine.Devices)
            device.PostLoad();
        _machine.SetStoppedState(RunState.Paused).GetAwaiter().GetResult();
    }
}
