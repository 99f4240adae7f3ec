using System.Text.Json;
using Emu.Lab;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// device_add and device_del of virtio-pci devices into a running q35 machine
/// (ACPI PCI hotplug). The built-in firmware never enables ACPI, so nobody in
/// the guest can be asked to release a device and an unplug completes at
/// once; the Linux guest that answers through ACPI is in the lab tests.
/// </summary>
public sealed class QmpHotplugTests
{
    private static async Task<JsonElement[]> Functions(QmpTestClient client) =>
        (await client.ReturnOfAsync("query-pci"))[0].GetProperty("devices").EnumerateArray().ToArray();

    private static bool IsVirtioBlock(JsonElement f) =>
        f.GetProperty("id").GetProperty("vendor").GetInt32() == 0x1AF4 && f.GetProperty("id").GetProperty("device").GetInt32() == 0x1042;

    [AccelFact]
    public async Task AVirtioDiskComesAndGoesAndItsDriveCanBeUsedAgain()
    {
        string image = Path.Combine(Path.GetTempPath(), $"emu-hotplug-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(image, new byte[1 << 20]);
        using var cleanup = new FileCleanup(image);
        await using VmProcess vm = VmProcess.StartEmu([.. VmProcess.LongRunningGuest, "-drive", $"file={image},format=raw,if=none,id=d0"]);
        await using QmpTestClient client = await vm.ConnectAsync();
        Assert.DoesNotContain(await Functions(client), IsVirtioBlock);

        await client.ReturnOfAsync("device_add", new { driver = "virtio-blk-pci", id = "disk0", drive = "d0", addr = "0a.0" });
        JsonElement disk = Assert.Single(await Functions(client), IsVirtioBlock);
        Assert.Equal(10, disk.GetProperty("slot").GetInt32());
        Assert.Equal("disk0", disk.GetProperty("qdev_id").GetString());
        Assert.Equal("d0", (await client.ReturnOfAsync("qom-get", new { path = "/machine/peripheral/disk0", property = "drive" })).GetString());
        // A drive serves one device at a time.
        JsonElement twice = await client.ExecuteAsync("device_add", new { driver = "virtio-blk-pci", id = "disk1", drive = "d0" });
        Assert.Contains("d0", twice.GetProperty("error").GetProperty("desc").GetString());

        await client.ReturnOfAsync("device_del", new { id = "disk0" });
        JsonElement deleted = await client.WaitForEventAsync("DEVICE_DELETED");
        Assert.Equal("disk0", deleted.GetProperty("data").GetProperty("device").GetString());
        Assert.Equal("/machine/peripheral/disk0", deleted.GetProperty("data").GetProperty("path").GetString());
        Assert.DoesNotContain(await Functions(client), IsVirtioBlock);
        Assert.Equal("Device 'disk0' not found", (await client.ExecuteAsync("device_del", new { id = "disk0" })).GetProperty("error").GetProperty("desc").GetString());

        // The drive was released with the device; the slot is free again.
        await client.ReturnOfAsync("device_add", new { driver = "virtio-blk-pci", id = "disk2", drive = "d0", addr = "0a.0" });
        Assert.Equal(10, Assert.Single(await Functions(client), IsVirtioBlock).GetProperty("slot").GetInt32());
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }

    [AccelFact]
    public async Task SlotsThatCannotTakeADeviceAreRefusedAndTheMachineRunsOn()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        async Task<string> Error(object arguments) =>
            (await client.ExecuteAsync("device_add", arguments)).GetProperty("error").GetProperty("desc").GetString()!;
        Assert.Equal("PCI: slot 31 does not support hotplug (slots 1 to 30 do)", await Error(new { driver = "virtio-rng-pci", addr = "1f.0" }));
        Assert.Equal("PCI: function 2 of slot 5: only function 0 can be hot-plugged", await Error(new { driver = "virtio-rng-pci", addr = "05.2" }));
        Assert.Contains("drive", await Error(new { driver = "virtio-blk-pci", id = "nodrive" }));
        // The board's own functions stay: the LPC bridge is not in a hotplug slot.
        JsonElement lpc = await client.ExecuteAsync("device_del", new { id = "/machine/unattached/lpc" });
        Assert.Equal("Bus 'pcie.0' does not support hotplugging", lpc.GetProperty("error").GetProperty("desc").GetString());
        await client.ReturnOfAsync("device_add", new { driver = "virtio-rng-pci", id = "rng0" });
        Assert.Contains(await Functions(client), f => f.GetProperty("qdev_id").GetString() == "rng0");
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }
}
