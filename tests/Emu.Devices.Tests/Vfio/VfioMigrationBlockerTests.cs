using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// A passed-through function's state is in the host hardware; until emu drives
// VFIO device migration, a machine with one must refuse to migrate and say
// which device is in the way.
public sealed class VfioMigrationBlockerTests
{
    [Fact]
    public void A_passed_through_function_blocks_migration_naming_the_device_and_its_host_function()
    {
        using var function = new FakePciFunction();
        using var kernel = new FakeVfioKernel(function);
        using var vm = new VfioMachine(kernel);
        Assert.DoesNotContain(vm.Machine.MigrationBlockers(), b => b.Contains("vfio-pci", StringComparison.Ordinal));

        VfioPciDevice device = vm.Add("0000:01:00.0", id: "nic0");

        string blocker = Assert.Single(vm.Machine.MigrationBlockers(), b => b.Contains("vfio-pci", StringComparison.Ordinal));
        Assert.StartsWith("device 'nic0' (vfio-pci) cannot migrate", blocker);
        Assert.Contains(device.HostAddress!, blocker);
    }
}
