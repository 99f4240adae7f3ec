using System.Text.Json;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// One QMP script, run against QEMU (Debian's qemu-system-x86_64 on KVM, with
/// emu's firmware as its BIOS) and against emu: for the commands both have,
/// replies and events must have the same shape and errors the same class.
/// </summary>
public sealed class QemuComparisonTests
{
    // Members QAPI declares optional, which either side may leave out.
    private static readonly HashSet<string> s_optional = new(StringComparer.Ordinal)
    {
        "alias", "is-default", "default-cpu-type", "default-ram-id", "acpi",  // MachineInfo
        "irq", "desc", "pci_bridge", "prefetch", "mem_type_64",              // PciDeviceInfo, PciMemoryRegion
        "description", "default-value", "parent", "abstract",               // ObjectPropertyInfo, ObjectTypeInfo
        "node-id", "socket-id", "die-id", "cluster-id", "core-id", "thread-id", // CpuInstanceProperties
        "id",
    };

    private sealed record Step(string Name, string Json, string? ExpectEvent = null);

    private static readonly Step[] s_script =
    {
        new("query-status before negotiation", """{"execute": "query-status", "id": "early"}"""),
        new("qmp_capabilities", """{"execute": "qmp_capabilities"}"""),
        new("query-version", """{"execute": "query-version"}"""),
        new("query-commands", """{"execute": "query-commands"}"""),
        new("query-status", """{"execute": "query-status", "id": 1}"""),
        new("query-kvm", """{"execute": "query-kvm"}"""),
        new("query-cpus-fast", """{"execute": "query-cpus-fast"}"""),
        new("query-machines", """{"execute": "query-machines"}"""),
        new("query-pci", """{"execute": "query-pci"}"""),
        new("qom-list /", """{"execute": "qom-list", "arguments": {"path": "/"}}"""),
        new("qom-list /machine", """{"execute": "qom-list", "arguments": {"path": "/machine"}}"""),
        new("qom-get type", """{"execute": "qom-get", "arguments": {"path": "/machine", "property": "type"}}"""),
        new("qom-get child", """{"execute": "qom-get", "arguments": {"path": "/machine", "property": "peripheral"}}"""),
        new("qom-list-types", """{"execute": "qom-list-types", "arguments": {"implements": "machine", "abstract": true}}"""),
        new("device-list-properties", """{"execute": "device-list-properties", "arguments": {"typename": "isa-debug-exit"}}"""),
        new("info registers", """{"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}}"""),
        new("stop", """{"execute": "stop"}""", "STOP"),
        new("query-status paused", """{"execute": "query-status"}"""),
        new("x/2i $pc", """{"execute": "human-monitor-command", "arguments": {"command-line": "x/2i $pc"}}"""),
        new("cont", """{"execute": "cont"}""", "RESUME"),
        new("system_reset", """{"execute": "system_reset"}""", "RESET"),
        new("system_powerdown", """{"execute": "system_powerdown"}""", "POWERDOWN"),
        new("unknown command", """{"execute": "no-such-command", "id": "u"}"""),
        new("missing argument", """{"execute": "qom-get", "arguments": {"path": "/machine"}, "id": 7}"""),
        new("mistyped argument", """{"execute": "qom-get", "arguments": {"path": 1, "property": "type"}}"""),
        new("unexpected argument", """{"execute": "query-status", "arguments": {"colour": 1}}"""),
        new("no such path", """{"execute": "qom-get", "arguments": {"path": "/nowhere", "property": "type"}}"""),
        new("no such device type", """{"execute": "device-list-properties", "arguments": {"typename": "nope"}}"""),
        new("malformed JSON", """{"execute": "query-status",, }"""),
        new("not an object", """[1, 2]"""),
        new("unexpected member", """{"execute": "query-status", "colour": 1, "id": "m"}"""),
        new("quit", """{"execute": "quit"}""", "SHUTDOWN"),
    };

    private sealed record Transcript(JsonElement Greeting, List<JsonElement> Replies, Dictionary<string, JsonElement> Events);

    private static async Task<Transcript> RunScript(VmProcess vm)
    {
        await using QmpTestClient client = await QmpTestClient.ConnectUnixAsync(vm.SocketPath);
        var replies = new List<JsonElement>();
        var events = new Dictionary<string, JsonElement>();
        foreach (Step step in s_script)
        {
            replies.Add(await client.SendAsync(step.Json));
            if (step.ExpectEvent != null)
                events[step.ExpectEvent] = await client.WaitForEventAsync(step.ExpectEvent);
        }
        Assert.Equal(0, await vm.WaitForExitAsync());
        return new Transcript(client.Greeting, replies, events);
    }

    [QemuKvmFact]
    public async Task TheSameScriptGetsRepliesOfTheSameShapeFromQemuAndEmu()
    {
        Transcript qemu, emu;
        await using (VmProcess q = VmProcess.StartQemu(VmProcess.LongRunningGuest))
            qemu = await RunScript(q);
        await using (VmProcess e = VmProcess.StartEmu(VmProcess.LongRunningGuest))
            emu = await RunScript(e);

        var differences = new List<string>();
        differences.AddRange(JsonShape.Differences(qemu.Greeting, emu.Greeting, s_optional, "greeting"));
        for (int i = 0; i < s_script.Length; i++)
        {
            JsonElement q = qemu.Replies[i], e = emu.Replies[i];
            differences.AddRange(JsonShape.Differences(q, e, s_optional, s_script[i].Name));
            if (q.TryGetProperty("error", out JsonElement qError))
            {
                string expected = qError.GetProperty("class").GetString()!;
                string actual = e.TryGetProperty("error", out JsonElement eError) ? eError.GetProperty("class").GetString()! : "(no error)";
                if (expected != actual)
                    differences.Add($"{s_script[i].Name}: error class {expected} in QEMU, {actual} in emu");
            }
            if (q.TryGetProperty("id", out JsonElement qId) && (!e.TryGetProperty("id", out JsonElement eId) || qId.GetRawText() != eId.GetRawText()))
                differences.Add($"{s_script[i].Name}: the id is not echoed as QEMU echoes it");
        }
        foreach ((string name, JsonElement q) in qemu.Events)
            differences.AddRange(JsonShape.Differences(q, emu.Events[name], s_optional, $"event {name}"));
        Assert.True(differences.Count == 0, string.Join("\n", differences));

        // And both name the commands the script used.
        string[] emuCommands = emu.Replies[3].GetProperty("return").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
        string[] used = emu.Replies.Zip(s_script).Where(p => p.First.TryGetProperty("return", out _))
            .Select(p => JsonDocument.Parse(p.Second.Json).RootElement.GetProperty("execute").GetString()!).ToArray();
        Assert.All(used, command => Assert.Contains(command, emuCommands));
    }

    [QemuKvmFact]
    public void TheExtendedTsegQueryAnswersAsQemusNewestQ35Does()
    {
        string rom = TestRoms.Write(TsegProbeRom.Code);
        using var cleanup = new FileCleanup(rom);
        using var qemu = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(VmProcess.QemuPath)
        {
            ArgumentList = { "-accel", "kvm", "-M", "q35", "-bios", rom, "-display", "none", "-nodefaults", "-device", "isa-debug-exit,iobase=0xf4,iosize=4" },
            RedirectStandardError = true,
        })!;
        Assert.True(qemu.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(TsegProbeRom.ExitStatusFor(16), qemu.ExitCode);
        EmuProcess emu = EmuProcess.Run("-bios", rom, "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "null");
        Assert.Equal(qemu.ExitCode, emu.ExitCode);
    }
}
