using System.Runtime.InteropServices;
using Emu.Core.Machines;

namespace Emu.Host.Hosting;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP stop the machine in order (devices released,
/// files flushed) instead of killing the process. Registered as soon as emu
/// knows it will run a guest, before the machine is built: a signal that
/// arrives while emu is still starting is kept and stops the machine as soon
/// as it is attached, so emu never dies of a signal it is meant to handle.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly object _lock = new();
    private Machine? _machine;
    private MachineExit? _pending;

    public ShutdownSignals()
    {
        _registrations = new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) }
            .Select(s => PosixSignalRegistration.Create(s.Item1, context =>
            {
                context.Cancel = true;
                Stop(new MachineExit(ShutdownCause.HostSignal, 0, $"terminating on signal {s.Item2} ({s.Item1})"));
            }))
            .ToArray();
    }

    /// <summary>The machine a signal stops from now on; one that came earlier stops it at once.</summary>
    public void Attach(Machine machine)
    {
        MachineExit? pending;
        lock (_lock)
        {
            _machine = machine;
            pending = _pending;
        }
        if (pending != null)
            _ = machine.RequestShutdown(pending);
    }

    private void Stop(MachineExit exit)
    {
        Machine? machine;
        lock (_lock)
        {
            machine = _machine;
            _pending ??= exit;
        }
        if (machine != null)
            _ = machine.RequestShutdown(exit);
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
    }
}
