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
    private const long Window = 20_000;
    private const int Windows = 5;

    private static async Task<(AllocationProbe Probe, MachineExit Exit)> RunFirmware(string mode, Action<LaunchedVm, AllocationProbe> attach)
    {
        string[] arguments = ["-serial", "null", "-fw_cfg", $"name=opt/emu/mode,string={mode}"];
        EmuOptions options = CommandLineParser.Parse([.. arguments, .. TestAccelerator.ArgumentsFor(arguments)]);
        TypeRegistry registry = HostCatalog.CreateRegistry();
        using LaunchedVm vm = VmLauncher.Launch(options, registry, HostCatalog.CreateCatalog(registry), NullLoggerFactory.Instance);
        var probe = new AllocationProbe(WarmUp, Window, Windows);
        attach(vm, probe);
        vm.Machine.Start();
        MachineExit exit = await vm.Machine.Controller.Completion.WaitAsync(TimeSpan.FromMinutes(10));
        return (probe, exit);
    }

    // Every window closed; every window no collection disturbed shows 0 bytes,
    // and at least one such window exists (a per-exit allocation would show in
    // each of them, a one-off lazy allocation in the window it happened in).
    private static void AssertNothingAllocated(AllocationProbe probe)
    {
        Assert.Equal(probe.AccessesNeeded + 10, probe.Count);
        Assert.All(probe.Windows, w => Assert.True(w.Closed));
        AllocationWindow[] undisturbed = probe.Windows.Where(w => !w.CollectionRan).ToArray();
        Assert.True(undisturbed.Length > 0,
            $"a garbage collection ran inside each of the {Windows} windows of {Window} exits; nothing could be measured");
        Assert.All(undisturbed, w => Assert.Equal(0, w.Bytes));
    }

    [AccelFact]
    public async Task PortIoExitsAllocateNothing()
    {
        var (probe, exit) = await RunFirmware($"pio:{WarmUp + Window * Windows + 10}", (vm, p) =>
            vm.Machine.IoPorts.Root.AddSubregion(MemoryRegion.CreateIo("probe", 1, p), 0x80, priority: 1));
        Assert.Equal(ShutdownCause.GuestPowerOff, exit.Cause);
        AssertNothingAllocated(probe);
    }

    [AccelFact]
    public async Task MmioExitsAllocateNothing()
    {
        var (probe, exit) = await RunFirmware($"mmio:{WarmUp + Window * Windows + 10}", (vm, p) =>
            vm.Machine.SystemMemory.Root.AddSubregion(MemoryRegion.CreateIo("probe", 0x1000, p), 0xFEB0_0000, priority: 1));
        Assert.Equal(ShutdownCause.GuestPowerOff, exit.Cause);
        AssertNothingAllocated(probe);
    }
}
