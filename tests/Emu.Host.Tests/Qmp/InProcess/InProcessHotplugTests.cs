using System.Text.Json;
using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>
/// device_add and device_del through QMP, with the test as the guest that
/// acknowledges the unplug; no KVM needed.
/// </summary>
public sealed class InProcessHotplugTests
{
    private static string Error(JsonElement reply) => reply.GetProperty("error").GetProperty("desc").GetString()!;

    private static async Task<string[]> Peripherals(QmpTestClient client) =>
        (await client.ReturnOfAsync("qom-list", new { path = "/machine/peripheral" })).EnumerateArray()
            .Select(p => $"{p.GetProperty("name").GetString()}:{p.GetProperty("type").GetString()}").Where(p => !p.StartsWith("type:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task ADeviceIsPluggedThenUnpluggedWhenTheGuestLetsGo()
    {
        await using var vm = new InProcessVm();
        await using QmpTestClient client = await vm.ConnectAsync();

        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "nic1", queues = 4 });
        PluggableDevice device = Assert.IsType<PluggableDevice>(Assert.Single(vm.Machine.Hotplug.Plugged));
        Assert.True(device.IsRealized);
        Assert.Equal(new[] { "nic1:child<test-pluggable>" }, await Peripherals(client));
        Assert.Equal(4, (await client.ReturnOfAsync("qom-get", new { path = "/machine/peripheral/nic1", property = "queues" })).GetInt32());

        await client.ReturnOfAsync("device_del", new { id = "nic1" });
        Assert.Same(device, Assert.Single(vm.Machine.Hotplug.UnplugRequests));
        Assert.Contains("already in the process of unplug", Error(await client.ExecuteAsync("device_del", new { id = "nic1" })));
        Assert.Equal(new[] { "nic1:child<test-pluggable>" }, await Peripherals(client)); // the guest has not let go yet
        Assert.DoesNotContain(client.Events, e => e.GetProperty("event").GetString() == "DEVICE_DELETED");

        vm.Machine.CompleteUnplug(device); // the guest ejects it
        JsonElement deleted = await client.WaitForEventAsync("DEVICE_DELETED");
        Assert.Equal("nic1", deleted.GetProperty("data").GetProperty("device").GetString());
        Assert.Equal("/machine/peripheral/nic1", deleted.GetProperty("data").GetProperty("path").GetString());
        Assert.Empty(await Peripherals(client));
        Assert.Equal(1, device.Unrealized);
        Assert.DoesNotContain(device, vm.Machine.Devices);

        // The id is free again.
        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "nic1" });
    }

    [Fact]
    public async Task HotPluggedDevicesGetCompatPropertiesAndGlobalsLikeCommandLineDevices()
    {
        await using var vm = new InProcessVm(new GlobalProperty("test-pluggable", "queues", "3", "-global"));
        await using QmpTestClient client = await vm.ConnectAsync();
        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "a" });
        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "b", queues = "5" });
        Assert.Equal(3, (await client.ReturnOfAsync("qom-get", new { path = "/machine/peripheral/a", property = "queues" })).GetInt32());
        Assert.Equal(5, (await client.ReturnOfAsync("qom-get", new { path = "b", property = "queues" })).GetInt32());

        await using var plain = new InProcessVm();
        await using QmpTestClient other = await plain.ConnectAsync();
        await other.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "c" });
        Assert.Equal(2, (await other.ReturnOfAsync("qom-get", new { path = "/machine/peripheral/c", property = "queues" })).GetInt32()); // the machine's compat value
    }

    [Fact]
    public async Task RefusedDeviceAddsLeaveNothingBehind()
    {
        await using var vm = new InProcessVm();
        await using QmpTestClient client = await vm.ConnectAsync();
        await client.ReturnOfAsync("device_add", new { driver = "test-pluggable", id = "d" });
        Assert.Equal("Duplicate device ID 'd'", Error(await client.ExecuteAsync("device_add", new { driver = "test-pluggable", id = "d" })));
        Assert.Equal("at most 8 queues fit this slot", Error(await client.ExecuteAsync("device_add", new { driver = "test-pluggable", id = "e", queues = 9 })));
        Assert.Contains("Invalid parameter type for 'queues'", Error(await client.ExecuteAsync("device_add", new { driver = "test-pluggable", id = "f", queues = true })));
        Assert.Equal("Bus 'pcie.0' not found", Error(await client.ExecuteAsync("device_add", new { driver = "test-pluggable", id = "g", bus = "pcie.0" })));
        Assert.Contains("'isa-debug-exit' is not available on machine 'test-board'", Error(await client.ExecuteAsync("device_add", new { driver = "isa-debug-exit" })));
        Assert.Equal(new[] { "d:child<test-pluggable>" }, await Peripherals(client));
        Assert.Single(vm.Machine.Hotplug.Plugged);
    }

    [Fact]
    public async Task VcpuRegistersAreReadOnTheVcpuThreadRunningOrPaused()
    {
        await using var vm = new InProcessVm();
        await using QmpTestClient client = await vm.ConnectAsync();
        // FakeVcpu refuses register reads from any other thread, so an answer proves where it ran.
        Assert.Contains("CPU#1", await client.HmpAsync("info registers -a"));
        await client.ReturnOfAsync("stop");
        string first = await client.HmpAsync("info registers");
        Assert.Equal(first, await client.HmpAsync("info registers")); // parked: it does the work where it waits, without running
        await client.ReturnOfAsync("cont");
        Assert.NotEqual(first, await client.HmpAsync("info registers")); // the kick that fetched them let it run on

        await client.ReturnOfAsync("quit");
        await vm.Machine.Controller.Completion;
        JsonElement gone = await client.ExecuteAsync("human-monitor-command", new Dictionary<string, object> { ["command-line"] = "info registers" });
        Assert.Contains("vcpu0", Error(gone)); // an error, not a hang
    }
}
