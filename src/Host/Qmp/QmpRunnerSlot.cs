namespace Emu.Host.Qmp;

/// <summary>
/// Where <see cref="QmpService"/> finds the QMP server: the generic host is
/// built on its own thread while the machine (and then the server) is
/// created, so the runner is put here before the host starts.
/// </summary>
internal sealed class QmpRunnerSlot
{
    public QmpRunner? Runner { get; set; }
}
