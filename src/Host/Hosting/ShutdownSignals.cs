using System.Runtime.InteropServices;
using Emu.Core.Machines;

namespace Emu.Host.Hosting;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP stop the machine in order (devices released,
/// files flushed) instead of killing the process. Registered before the guest
/// starts, so the guest can run while the generic host is still starting.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals(Machine machine)
    {
        _registrations = new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) }
            .Select(s => PosixSignalRegistration.Create(s.Item1, context =>
            {
                context.Cancel = true;
                _ = machine.RequestShutdown(new MachineExit(ShutdownCause.HostSignal, 0, $"terminating on signal {s.Item2} ({s.Item1})"));
            }))
            .ToArray();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
    }
}
