using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Emu.Lab;

namespace Emu.Host.Tests.Qmp;

/// <summary>Controlling and inspecting a running guest over QMP: pause and resume, the monitor, live properties, events.</summary>
public sealed partial class QmpMachineTests
{
    [GeneratedRegex("RDI=([0-9a-f]{16})")]
    private static partial Regex RdiPattern();

    // The firmware's pio loop counts down in EDI: out 0x80; dec edi; jnz.
    private static async Task<ulong> LoopCounter(QmpTestClient client) =>
        ulong.Parse(RdiPattern().Match(await client.HmpAsync("info registers")).Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    // Until the firmware has booted into its loop (pio:4000000000), RDI holds something else.
    private static async Task<ulong> LoopCounterOnceLooping(QmpTestClient client)
    {
        const ulong start = 4_000_000_000;
        var deadline = DateTime.UtcNow + QmpTestClient.DefaultTimeout;
        while (true)
        {
            ulong value = await LoopCounter(client);
            if (value is > start - 100_000_000 and <= start)
                return value;
            Assert.True(DateTime.UtcNow < deadline, $"the guest never reached its loop (RDI={value:x})");
            await Task.Delay(10);
        }
    }

    [AccelFact]
    public async Task APausedGuestMakesNoProgressAndContinuesAfterCont()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        ulong first = await LoopCounterOnceLooping(client);
        ulong later;
        do
            later = await LoopCounter(client);
        while (later == first);
        Assert.True(later < first, "the loop counts down while running");

        await client.ReturnOfAsync("stop");
        await client.WaitForEventAsync("STOP");
        Assert.Equal("paused", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        ulong paused = await LoopCounter(client);
        await Task.Delay(300); // let time pass; a running guest would count down thousands meanwhile
        Assert.Equal(paused, await LoopCounter(client));
        string code = await client.HmpAsync("x/3i $pc");
        Assert.Contains("dec edi", code);
        Assert.Contains("jne", code);

        await client.ReturnOfAsync("cont");
        await client.WaitForEventAsync("RESUME");
        ulong resumed;
        do
            resumed = await LoopCounter(client);
        while (resumed == paused);
        Assert.True(resumed < paused);
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }

    [AccelFact]
    public async Task StartedWithDashSTheMachineWaitsInPrelaunchUntilCont()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Append("-S").ToArray());
        await using QmpTestClient client = await vm.ConnectAsync();
        JsonElement status = await client.ReturnOfAsync("query-status");
        Assert.Equal("prelaunch", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("running").GetBoolean());
        Assert.Contains("RIP=000000000000fff0", await client.HmpAsync("info registers")); // the reset vector, untouched
        Assert.Contains("jmp", await client.HmpAsync("x/1i $pc"));
        await client.ReturnOfAsync("cont");
        await client.WaitForEventAsync("RESUME");
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }

    [AccelFact]
    public async Task TheMonitorShowsRegistersMemoryAndPci()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Concat(new[] { "-smp", "2" }).ToArray());
        await using QmpTestClient client = await vm.ConnectAsync();

        string all = await client.HmpAsync("info registers -a");
        Assert.Contains("CPU#0", all);
        Assert.Contains("CPU#1", all);
        string cpu1 = (await client.ReturnOfAsync("human-monitor-command", new Dictionary<string, object> { ["command-line"] = "info registers", ["cpu-index"] = 1 })).GetString()!;
        Assert.Contains("CPU#1", cpu1);
        JsonElement badCpu = await client.ExecuteAsync("human-monitor-command", new Dictionary<string, object> { ["command-line"] = "info registers", ["cpu-index"] = 7 });
        Assert.Equal("Parameter 'cpu-index' expects a CPU number", badCpu.GetProperty("error").GetProperty("desc").GetString());

        string tree = await client.HmpAsync("info mtree");
        Assert.Contains("address-space: memory", tree);
        Assert.Contains("address-space: I/O", tree);
        Assert.Contains("(prio 1, rom): pc.bios", tree);
        Assert.Contains("(prio 0, ram): ram-below-4g", tree);
        Assert.Contains("(prio 0, i/o): serial@3f8", tree);
        Assert.EndsWith("\r\n", tree);
        string flat = await client.HmpAsync("info mtree -f");
        Assert.Contains("FlatView #0", flat);
        Assert.Matches("00000000ffff0000-00000000ffffffff \\(prio 1, rom\\): pc.bios KVM", flat);

        string pci = await client.HmpAsync("info pci");
        Assert.Contains("Host bridge: PCI device 8086:29c0", pci);
        Assert.Contains("Bus  0, device  31, function 0:", pci);
        Assert.Contains("ISA bridge: PCI device 8086:2918", pci);

        Assert.Contains("unknown command: 'info nothing'", await client.HmpAsync("info nothing"));
        JsonElement badRegister = await client.ExecuteAsync("human-monitor-command", new Dictionary<string, object> { ["command-line"] = "x/2i $nope" });
        Assert.Contains("unknown register '$nope'", badRegister.GetProperty("error").GetProperty("desc").GetString());
        Assert.Contains("unable to read memory", await client.HmpAsync("x/4xw 0xfee00000")); // the APIC page: not RAM, never read
        Assert.Matches("00000000000f0000: 0x[0-9a-f]{8}", await client.HmpAsync("x/2xw 0xf0000")); // below 1 MiB, identity-mapped ROM
    }

    [AccelFact]
    public async Task QueryCommandsDescribeTheVcpusPciAndMachines()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Concat(new[] { "-smp", "2" }).ToArray());
        await using QmpTestClient client = await vm.ConnectAsync();

        JsonElement[] cpus = (await client.ReturnOfAsync("query-cpus-fast")).EnumerateArray().ToArray();
        Assert.Equal(2, cpus.Length);
        Assert.NotEqual(cpus[0].GetProperty("thread-id").GetInt32(), cpus[1].GetProperty("thread-id").GetInt32());
        foreach (JsonElement cpu in cpus)
        {
            string path = cpu.GetProperty("qom-path").GetString()!;
            Assert.Equal(TestAccelerator.Current == "tcg" ? "max-x86_64-cpu" : "host-x86_64-cpu", (await client.ReturnOfAsync("qom-get", new { path, property = "type" })).GetString());
        }

        JsonElement[] functions = (await client.ReturnOfAsync("query-pci"))[0].GetProperty("devices").EnumerateArray().ToArray();
        JsonElement host = functions.Single(f => f.GetProperty("slot").GetInt32() == 0);
        Assert.Equal(0x8086, host.GetProperty("id").GetProperty("vendor").GetInt32());
        Assert.Equal(0x29C0, host.GetProperty("id").GetProperty("device").GetInt32());
        Assert.Equal("Host bridge", host.GetProperty("class_info").GetProperty("desc").GetString());
        Assert.Contains(functions, f => f.GetProperty("slot").GetInt32() == 31 && f.GetProperty("id").GetProperty("device").GetInt32() == 0x2918);

        JsonElement kvm = await client.ReturnOfAsync("query-kvm");
        Assert.Equal(TestAccelerator.Current == "kvm", kvm.GetProperty("enabled").GetBoolean());
        Assert.Equal(LabRequirements.KvmMissingReason == null, kvm.GetProperty("present").GetBoolean());

        string[] commands = (await client.ReturnOfAsync("query-commands")).EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        foreach (string name in new[] { "qmp_capabilities", "query-status", "stop", "cont", "qom-get", "device_add", "device_del", "query-platform", "human-monitor-command" })
            Assert.Contains(name, commands);
    }

    [AccelFact]
    public async Task ResetAndPowerButtonAreAnnounced()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        await client.ReturnOfAsync("system_reset");
        JsonElement reset = await client.WaitForEventAsync("RESET");
        Assert.False(reset.GetProperty("data").GetProperty("guest").GetBoolean());
        Assert.Equal("host-qmp-system-reset", reset.GetProperty("data").GetProperty("reason").GetString());
        await client.ReturnOfAsync("system_powerdown");
        await client.WaitForEventAsync("POWERDOWN");
        // The firmware has no ACPI OS to act on the button: the machine runs on.
        Assert.Equal("running", (await client.ReturnOfAsync("query-status")).GetProperty("status").GetString());
    }

    [AccelFact]
    public async Task ALivePropertyChangeTakesEffectWhileTheGuestRuns()
    {
        // The guest resets itself over and over (a short wait, then 6 to port 0xCF9).
        byte[] code =
        {
            0x66, 0xB9, 0xA0, 0x86, 0x01, 0x00, // mov ecx, 100000
            0x66, 0x49,                         // dec ecx
            0x75, 0xFC,                         // jnz dec
            0xBA, 0xF9, 0x0C,                   // mov dx, 0xcf9
            0xB0, 0x06,                         // mov al, 6
            0xEE,                               // out dx, al
            0xF4, 0xEB, 0xFD,                   // hlt; jmp hlt
        };
        string rom = TestRoms.Write(code);
        try
        {
            await using VmProcess vm = VmProcess.StartEmu("-bios", rom);
            await using QmpTestClient client = await vm.ConnectAsync();
            Assert.False((await client.ReturnOfAsync("qom-get", new { path = "/machine", property = "no-reboot" })).GetBoolean());
            for (int i = 0; i < 2; i++)
                Assert.True((await client.WaitForEventAsync("RESET")).GetProperty("data").GetProperty("guest").GetBoolean());

            // The reply to qom-set always arrives; a qom-get after it could not: the guest's
            // next reset (within a millisecond on the software CPU) now ends the machine.
            await client.ReturnOfAsync("qom-set", new { path = "/machine", property = "no-reboot", value = true });
            JsonElement shutdown = await client.WaitForEventAsync("SHUTDOWN");
            Assert.Equal("guest-reset", shutdown.GetProperty("data").GetProperty("reason").GetString());
            Assert.Equal(0, await vm.WaitForExitAsync());
        }
        finally
        {
            File.Delete(rom);
        }
    }

    [AccelFact]
    public async Task PropertiesThatCannotChangeLiveAreRefused()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        JsonElement refused = await client.ExecuteAsync("qom-set", new { path = "/machine/unattached/serial0", property = "iobase", value = 0x2F8 });
        Assert.Contains("after it was realized", refused.GetProperty("error").GetProperty("desc").GetString());
        Assert.Equal(0x3F8, (await client.ReturnOfAsync("qom-get", new { path = "/machine/unattached/serial0", property = "iobase" })).GetInt32());
        JsonElement wrongType = await client.ExecuteAsync("qom-set", new { path = "/machine", property = "no-reboot", value = "perhaps" });
        Assert.Equal("GenericError", wrongType.GetProperty("error").GetProperty("class").GetString());
        Assert.Contains("Property 'q35-2.0.colour' not found", (await client.ExecuteAsync("qom-get", new { path = "/machine", property = "colour" })).GetProperty("error").GetProperty("desc").GetString());

        string[] names = (await client.ReturnOfAsync("qom-list", new { path = "/machine/unattached" })).EnumerateArray()
            .Select(p => $"{p.GetProperty("name").GetString()}:{p.GetProperty("type").GetString()}").ToArray();
        Assert.Contains("q35:child<mch>", names);
        Assert.Contains($"device[0]:child<{(TestAccelerator.Current == "tcg" ? "max" : "host")}-x86_64-cpu>", names);
        Assert.Equal("/machine/unattached", (await client.ReturnOfAsync("qom-get", new { path = "/machine", property = "unattached" })).GetString());
        Assert.Equal("/chardevs/serial0", (await client.ReturnOfAsync("qom-get", new { path = "/machine/unattached/serial0", property = "chardev" })).GetString());
        Assert.Equal($"{TestAccelerator.Current}-accel", (await client.ReturnOfAsync("qom-get", new { path = "/accel", property = "type" })).GetString());
        if (TestAccelerator.Current == "kvm")
            Assert.Equal("/dev/kvm", (await client.ReturnOfAsync("qom-get", new { path = "/accel", property = "device" })).GetString());
        else
            Assert.Equal("multi", (await client.ReturnOfAsync("qom-get", new { path = "/accel", property = "thread" })).GetString());
    }

    [AccelFact]
    public async Task DevicesWithoutAHotplugControllerAreRefusedClearly()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        async Task<string> Error(string command, object arguments) =>
            (await client.ExecuteAsync(command, arguments)).GetProperty("error").GetProperty("desc").GetString()!;
        Assert.Equal("Bus 'isa.0' does not support hotplugging", await Error("device_add", new { driver = "isa-debug-exit", id = "x" }));
        Assert.Equal("'nope' is not a valid device model name", await Error("device_add", new { driver = "nope" }));
        Assert.Contains("part of the board", await Error("device_add", new { driver = "mch" }));
        Assert.Equal("Parameter 'driver' is missing", await Error("device_add", new { id = "x" }));
        Assert.Contains("property 'colour' not found", await Error("device_add", new { driver = "isa-debug-exit", colour = 1 }));
        Assert.Equal("Device 'nope' not found", await Error("device_del", new { id = "nope" }));
        Assert.Equal("Bus 'isa.0' does not support hotplugging", await Error("device_del", new { id = "/machine/unattached/serial0" }));
        Assert.DoesNotContain((await client.ReturnOfAsync("qom-list", new { path = "/machine/peripheral" })).EnumerateArray(), p => p.GetProperty("name").GetString() != "type");
    }

    [AccelFact]
    public async Task QueryPlatformDescribesWhatThisHostOffers()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        JsonElement platform = await client.ReturnOfAsync("query-platform");
        JsonElement[] accelerators = platform.GetProperty("accelerators").EnumerateArray().ToArray();
        JsonElement tcg = accelerators.Single(a => a.GetProperty("name").GetString() == "tcg");
        Assert.True(tcg.GetProperty("present").GetBoolean());
        Assert.Equal(TestAccelerator.Current == "tcg", tcg.GetProperty("in-use").GetBoolean());
        Assert.Contains("max", tcg.GetProperty("cpu-models").EnumerateArray().Select(m => m.GetString()));
        JsonElement kvm = accelerators.Single(a => a.GetProperty("name").GetString() == "kvm");
        Assert.Equal(TestAccelerator.Current == "kvm", kvm.GetProperty("in-use").GetBoolean());
        Assert.Equal(LabRequirements.KvmMissingReason == null, kvm.GetProperty("present").GetBoolean());
        if (LabRequirements.KvmMissingReason == null)
        {
            Assert.Equal(12, kvm.GetProperty("api-version").GetInt32());
            Assert.True(kvm.GetProperty("max-vcpus").GetInt32() >= 1);
            Assert.True(kvm.GetProperty("capabilities").GetProperty("irqfd").GetBoolean());
            bool pvm = Directory.Exists("/sys/module/kvm_pvm");
            Assert.Equal(!pvm, kvm.GetProperty("hardware-assisted").GetBoolean());
            JsonElement cpu = platform.GetProperty("cpu");
            string[] guestFeatures = cpu.GetProperty("guest-features").EnumerateArray().Select(f => f.GetString()!).ToArray();
            Assert.Contains("lm", guestFeatures);
            Assert.Contains("nx", guestFeatures);
            Assert.NotEmpty(cpu.GetProperty("vendor").GetString()!);
        }
        else
        {
            Assert.Contains("does not exist", kvm.GetProperty("problem").GetString());
        }

        Assert.Equal(File.Exists("/dev/vfio/vfio"), platform.GetProperty("vfio").GetProperty("container").GetBoolean());
        Assert.Equal(File.Exists("/dev/iommu"), platform.GetProperty("iommufd").GetProperty("present").GetBoolean());
        JsonElement tap = platform.GetProperty("tap");
        Assert.Equal(File.Exists("/dev/net/tun"), tap.GetProperty("present").GetBoolean());
        if (tap.TryGetProperty("offloads", out JsonElement offloads))
        {
            string?[] names = offloads.EnumerateArray().Select(o => o.GetString()).ToArray();
            Assert.Contains("csum", names);
            Assert.Contains("tso4", names);
            if (Environment.OSVersion.Version >= new Version(6, 2))
            {
                Assert.Contains("uso4", names); // UDP segmentation offload arrived in Linux 6.2
                Assert.Contains("uso6", names);
            }
        }
        else
            Assert.NotEmpty(tap.GetProperty("problem").GetString()!);
    }
}
