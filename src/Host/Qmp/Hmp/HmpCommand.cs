namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// A command of the human monitor, reached through QMP's
/// human-monitor-command. Output is text with CR LF line ends, as QEMU's monitor prints it.
/// </summary>
internal abstract class HmpCommand
{
    /// <summary>The words that select it ("info registers", "x").</summary>
    public abstract string Name { get; }

    public abstract string Usage { get; }

    /// <param name="arguments">What followed the name on the command line.</param>
    /// <param name="cpuIndex">The vCPU the monitor looks at (human-monitor-command's cpu-index, default 0).</param>
    public abstract Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex);
}
