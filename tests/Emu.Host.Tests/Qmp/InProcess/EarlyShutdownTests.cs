using Emu.Core.Machines;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Host.Tests.Qmp.InProcess;

// A signal that reaches emu while it is still building the machine is kept and stops the
// machine the moment it starts (ShutdownSignals.Attach posts it before Machine.Start).
public sealed class EarlyShutdownTests
{
    [Fact]
    public async Task A_shutdown_requested_before_the_start_stops_the_machine_before_the_guest_runs()
    {
        var machine = (HotplugTestMachine)HotplugTestMachine.TypeInfo.CreateInstance();
        using var accelerator = new FakeAccelerator();
        machine.CpuCount = 2;
        machine.Initialize(accelerator, NullLoggerFactory.Instance);
        try
        {
            Task request = machine.RequestShutdown(new MachineExit(ShutdownCause.HostSignal, 0, "terminating on signal 15 (SIGTERM)"));
            machine.Start();
            MachineExit exit = await machine.Controller.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            await request.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(ShutdownCause.HostSignal, exit.Cause);
            Assert.Equal(0, exit.ExitCode);
            Assert.Equal("terminating on signal 15 (SIGTERM)", exit.Message);
            // Neither vCPU entered the guest.
            Assert.All(accelerator.Vcpus, vcpu => Assert.Equal(0, vcpu.Runs));
        }
        finally
        {
            machine.Dispose();
        }
    }
}
