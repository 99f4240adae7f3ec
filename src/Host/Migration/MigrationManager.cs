using System.Text.Json;
using Emu.Core.Machines;
using Emu.Core.Migration;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Migration;

/// <summary>
/// A VM's migrations, as QMP sees them: the parameters and capabilities, the
/// outgoing migration (running, or the last one for query-migrate), and the
/// incoming side (-incoming URI, or -incoming defer until migrate-incoming).
/// It turns status changes into MIGRATION events (with the "events"
/// capability, as QEMU does) and MIGRATION_PASS events per dirty-page pass.
/// </summary>
internal sealed class MigrationManager : IDisposable
{
    private readonly object _lock = new();
    private readonly Machine _machine;
    private readonly bool _startPaused;
    private readonly ILogger _logger;
    private MigrationParameters _parameters = new();
    private bool _events;
    private OutgoingMigration? _outgoing;
    private MigrationTransport? _outgoingTransport;
    private IncomingListener? _listener;
    private volatile IncomingMigration? _incomingMigration;
    private volatile MigrationStatus _incomingStatus = MigrationStatus.None;
    private string? _incomingError;
    private bool _incomingDeferred;
    private bool _incomingStarted;
    private volatile bool _autostartRequested;

    public MigrationManager(Machine machine, bool startPaused, ILogger logger)
    {
        _machine = machine;
        _startPaused = startPaused;
        _logger = logger;
    }

    /// <summary>A QMP event: its name and the members of its data.</summary>
    public event Action<string, Action<Utf8JsonWriter>>? Event;

    public MigrationParameters Parameters
    {
        get
        {
            lock (_lock)
                return _parameters;
        }
        set
        {
            lock (_lock)
                _parameters = value;
        }
    }

    /// <summary>The "events" capability: MIGRATION events on every status change.</summary>
    public bool EventsEnabled
    {
        get
        {
            lock (_lock)
                return _events;
        }
    }

    /// <summary>The outgoing migration in progress or the last one (null before the first).</summary>
    public OutgoingMigration? Outgoing
    {
        get
        {
            lock (_lock)
                return _outgoing;
        }
    }

    /// <summary>The incoming side's status (None without -incoming).</summary>
    public MigrationStatus IncomingStatus => _incomingStatus;

    public string? IncomingError => _incomingError;

    public long IncomingBytes => _incomingMigration?.BytesRead ?? 0;

    public bool OutgoingActive => Outgoing is { } o && !MigrationStatusNames.IsFinished(o.Status);

    /// <summary>Sets capabilities; only "events" is implemented, and none may change while a migration runs.</summary>
    public void SetCapability(string capability, bool state)
    {
        lock (_lock)
        {
            if (_outgoing != null && !MigrationStatusNames.IsFinished(_outgoing.Status))
                throw new MigrationException("There's a migration process in progress");
            if (capability == "events")
                _events = state;
            else if (state)
                throw new MigrationException($"the migration capability '{capability}' is not supported by emu");
        }
    }

    /// <summary>QMP cont while the VM waits for an incoming migration: run it once loaded (QEMU's autostart).</summary>
    public void RequestAutostart() => _autostartRequested = true;

    // ---- Outgoing ----

    /// <summary>migrate: checks that the VM can go, connects, and starts sending; the rest shows in query-migrate and events.</summary>
    public void Migrate(string uriText)
    {
        MigrationUri uri;
        try
        {
            uri = MigrationUri.Parse(uriText);
        }
        catch (FormatException e)
        {
            throw new MigrationException(e.Message);
        }
        lock (_lock)
        {
            if (_machine.State == RunState.InMigrate || _incomingStatus == MigrationStatus.Active)
                throw new MigrationException("Guest is waiting for an incoming migration");
            if (_outgoing != null && !MigrationStatusNames.IsFinished(_outgoing.Status))
                throw new MigrationException("There's a migration process in progress");
            if (_machine.State is RunState.Shutdown or RunState.InternalError)
                throw new MigrationException($"the VM has stopped for good ({_machine.State}): there is nothing to migrate");
            IReadOnlyList<string> blockers = _machine.MigrationBlockers();
            if (blockers.Count > 0)
                throw new MigrationException($"disallowing migration: {string.Join("; ", blockers)}");
            MigrationTransport transport;
            try
            {
                transport = MigrationTransport.Connect(uri);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                throw new MigrationException($"Failed to connect to '{uri}': {e.Message}");
            }
            var migration = new OutgoingMigration(_machine, transport.Data, transport.Reply, () => Parameters);
            migration.StatusChanged += status => OnOutgoingStatus(migration, status);
            _outgoing = migration;
            _outgoingTransport = transport;
            migration.Start();
        }
    }

    private void OnOutgoingStatus(OutgoingMigration migration, MigrationStatus status)
    {
        if (EventsEnabled)
            Event?.Invoke("MIGRATION", w => w.WriteString("status", MigrationStatusNames.Of(status)));
        if (!MigrationStatusNames.IsFinished(status))
            return;
        MigrationTransport? transport;
        lock (_lock)
        {
            transport = ReferenceEquals(_outgoing, migration) ? _outgoingTransport : null;
            if (transport != null)
                _outgoingTransport = null;
        }
        transport?.Dispose();
        if (status == MigrationStatus.Failed)
            _logger.LogWarning("migration failed: {Error}", migration.Error);
    }

    /// <summary>migrate_cancel: succeeds whether or not a migration runs; the source goes back to what it was doing.</summary>
    public void Cancel()
    {
        OutgoingMigration? migration;
        MigrationTransport? transport;
        lock (_lock)
        {
            migration = _outgoing;
            transport = _outgoingTransport;
        }
        if (migration == null || MigrationStatusNames.IsFinished(migration.Status))
            return;
        migration.Cancel();
        // A write blocked on a stalled destination ends when the connection closes.
        transport?.Dispose();
    }

    // ---- Incoming ----

    /// <summary>-incoming at start-up: "defer", or a URI bound now (a mistake in it is a start-up error).</summary>
    public void ConfigureIncoming(string incoming)
    {
        if (incoming == "defer")
        {
            _incomingDeferred = true;
            return;
        }
        MigrationUri uri = MigrationUri.Parse(incoming);
        _listener = IncomingListener.Open(uri);
    }

    /// <summary>Whether the machine waits for an incoming migration (it starts in inmigrate).</summary>
    public bool IncomingConfigured => _incomingDeferred || _listener != null;

    /// <summary>Starts accepting the bound -incoming URI (after the machine has started in inmigrate).</summary>
    public void StartIncoming()
    {
        if (_listener != null)
            BeginIncoming(_listener, exitOnError: true);
    }

    /// <summary>migrate-incoming: only after -incoming defer, once.</summary>
    public void MigrateIncoming(string uriText, bool exitOnError)
    {
        lock (_lock)
        {
            if (!_incomingDeferred)
                throw new MigrationException("'-incoming' was not specified on the command line");
            if (_incomingStarted)
                throw new MigrationException("The incoming migration has already been started");
        }
        MigrationUri uri;
        try
        {
            uri = MigrationUri.Parse(uriText);
        }
        catch (FormatException e)
        {
            throw new MigrationException(e.Message);
        }
        IncomingListener listener;
        try
        {
            listener = IncomingListener.Open(uri);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or ArgumentException or Core.Posix.PosixException)
        {
            throw new MigrationException($"{uri}: {e.Message}");
        }
        lock (_lock)
            _listener = listener;
        BeginIncoming(listener, exitOnError);
    }

    private void BeginIncoming(IncomingListener listener, bool exitOnError)
    {
        lock (_lock)
        {
            if (_incomingStarted)
                return;
            _incomingStarted = true;
        }
        SetIncomingStatus(MigrationStatus.Setup);
        new Thread(() => RunIncoming(listener, exitOnError)) { IsBackground = true, Name = "migration-in" }.Start();
    }

    private void RunIncoming(IncomingListener listener, bool exitOnError)
    {
        string? error = null;
        try
        {
            using MigrationTransport transport = listener.Accept();
            listener.Dispose();
            var incoming = new IncomingMigration(_machine, transport.Data, transport.Reply, () => !_startPaused || _autostartRequested);
            incoming.StatusChanged += SetIncomingStatus;
            _incomingMigration = incoming;
            if (!incoming.Run())
                error = incoming.Error;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or UnauthorizedAccessException or MigrationException)
        {
            error = e.Message;
            SetIncomingStatus(MigrationStatus.Failed);
        }
        finally
        {
            listener.Dispose();
        }
        if (error == null)
            return;
        _incomingError = error;
        _logger.LogError("load of migration failed: {Error}", error);
        if (exitOnError)
            _machine.RequestShutdown(new MachineExit(ShutdownCause.HostError, 1, $"load of migration failed: {error}"));
    }

    private void SetIncomingStatus(MigrationStatus status)
    {
        if (_incomingStatus == status)
            return;
        _incomingStatus = status;
        if (EventsEnabled)
            Event?.Invoke("MIGRATION", w => w.WriteString("status", MigrationStatusNames.Of(status)));
    }

    public void Dispose()
    {
        Cancel();
        IncomingListener? listener;
        lock (_lock)
            listener = _listener;
        listener?.Dispose();
    }
}
