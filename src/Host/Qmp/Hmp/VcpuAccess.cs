using Emu.Core.Cpu;

namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// Runs monitor work on a vCPU's thread, without the monitor's thread ever
/// blocking: the vCPU does the work at its next check point. A vCPU that does
/// not get there in time (stuck in a device) is an error, not a hang.
/// </summary>
internal static class VcpuAccess
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(QmpContext context, int cpuIndex, Func<IVcpu, T> work)
    {
        try
        {
            return await context.Vm.Machine.Controller.RunOnVcpu(cpuIndex, work).WaitAsync(s_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new QmpException($"vcpu{cpuIndex} did not respond within {s_timeout.TotalSeconds} s");
        }
        catch (InvalidOperationException e)
        {
            throw new QmpException(e.Message);
        }
    }
}
