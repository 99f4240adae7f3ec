using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Host.CommandLine;
using Emu.Host.Composition;
using Emu.Lab;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Host.Tests;

/// <summary>
/// The steady-state exit path allocates nothing: 100,000 real guest exits (KVM), or port and MMIO
/// accesses the software CPU dispatches itself (tcg), measured on the vCPU thread.
/// </summary>
public sealed class ExitPathAllocationTests
{
    private const long WarmUp = 100_000;
    private const long Measured = 100_000;

    private static async Task<(AllocationProbe Probe, MachineExit Exit)> RunFirmware(string mode, Action<LaunchedVm, AllocationProbe> attach)
    {
        string[] arguments = ["-serial", "null", "-fw_cfg", $"name=opt/emu/mode,string={mode}"];
        EmuOptions options = CommandLineParser.Parse([.. arguments, .. TestAccelerator.ArgumentsFor(arguments)]);
        TypeRegistry registry = HostCatalog.CreateRegistry();
        using LaunchedVm vm = VmLauncher.Launch(options, registry, HostCatalog.CreateCatalog(registry), NullLoggerFactory.Instance);
        var probe = new AllocationProbe(WarmUp, WarmUp + Measured);
        attach(vm, probe);
        vm.Machine.Start();
        MachineExit exit = await vm.Machine.Controller.Completion.WaitAsync(TimeSpan.FromMinutes(10));
        return (probe, exit);
    }

    [AccelFact]
    public async Task PortIoExitsAllocateNothing()
    {
        var (probe, exit) = await RunFirmware($"pio:{WarmUp + Measured + 10}", (vm, p) =>
            vm.Machine.IoPorts.Root.AddSubregion(MemoryRegion.CreateIo("probe", 1, p), 0x80, priority: 1));
        Assert.Equal(ShutdownCause.GuestPowerOff, exit.Cause);
        Assert.Equal(WarmUp + Measured + 10, probe.Count);
        Assert.Equal(0, probe.BytesBetween);
    }

    [AccelFact]
    public async Task MmioExitsAllocateNothing()
    {
        var (probe, exit) = await RunFirmware($"mmio:{WarmUp + Measured + 10}", (vm, p) =>
            vm.Machine.SystemMemory.Root.AddSubregion(MemoryRegion.CreateIo("probe", 0x1000, p), 0xFEB0_0000, priority: 1));
        Assert.Equal(ShutdownCause.GuestPowerOff, exit.Cause);
        Assert.Equal(WarmUp + Measured + 10, probe.Count);
        Assert.Equal(0, probe.BytesBetween);
    }
}
