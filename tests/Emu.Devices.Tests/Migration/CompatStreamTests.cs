using Emu.Core.Migration;
using Emu.Core.Objects;

namespace Emu.Devices.Tests.Migration;

// Migration between builds. A machine version's stream has a fixed set of
// fields: the q35-1.0 layout is recorded in Golden/q35-1.0.fields as the first
// build that could migrate wrote it, with a stream of that build in
// Golden/q35-1.0.emu-vmstate. A field added later (the 16550's receive FIFO,
// "rx-fifo", with q35-2.0) is written only when the machine's compat
// properties ask for it: a q35-1.0 VM moves between the two builds either
// way, and a build that does not know the field refuses a stream that has it,
// by name, instead of misreading it.
//
// EMU_UPDATE_GOLDEN=DIR rewrites the golden files into DIR (only when the
// q35-1.0 layout is meant to change, which breaks migration from older builds).
public sealed class CompatStreamTests
{
    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Migration", "Golden", name);

    private static string Layout(Dictionary<string, byte[]> sections) =>
        string.Join("\n", sections.Select(s => $"{s.Key}: {string.Join(' ', new StateReader(s.Key, s.Value).FieldNames)}")) + "\n";

    private static Dictionary<string, HashSet<string>> ParseLayout(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2))
            .ToDictionary(p => p[0], p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(), StringComparer.Ordinal);

    private static string[] SortedLines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    [Fact]
    public void A_q35_1_0_stream_has_exactly_the_fields_of_the_q35_1_0_layout()
    {
        using var vm = new Q35TestVm("q35-1.0");
        vm.Serial.Uart!.Receive("x"u8); // even with bytes in the FIFO
        string layout = Layout(vm.SaveSections());
        if (Environment.GetEnvironmentVariable("EMU_UPDATE_GOLDEN") is { Length: > 0 } directory)
        {
            File.WriteAllText(Path.Combine(directory, "q35-1.0.fields"), layout);
            File.WriteAllBytes(Path.Combine(directory, "q35-1.0.emu-vmstate"), vm.SaveStream());
        }
        // The sections' order is not part of the layout (loading goes by name; this build
        // saves the PIT before the interrupt lines, the first build after them).
        Assert.Equal(SortedLines(File.ReadAllText(Golden("q35-1.0.fields"))), SortedLines(layout));
    }

    [Fact]
    public void A_q35_1_0_stream_of_the_first_build_loads_into_this_build()
    {
        byte[] stream = File.ReadAllBytes(Golden("q35-1.0.emu-vmstate"));
        using var vm = new Q35TestVm("q35-1.0", incoming: true);
        IncomingMigration load = vm.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
    }

    [Fact]
    public void A_build_that_knows_only_the_q35_1_0_layout_loads_this_builds_q35_1_0_stream()
    {
        Dictionary<string, HashSet<string>> known = ParseLayout(File.ReadAllText(Golden("q35-1.0.fields")));
        using var vm = new Q35TestVm("q35-1.0");
        vm.Serial.Uart!.Receive("abc"u8);
        foreach ((string id, byte[] payload) in vm.SaveSections())
            LoadAsOldBuild(id, payload, known);
    }

    [Fact]
    public void A_build_that_knows_only_the_q35_1_0_layout_refuses_a_q35_2_0_stream_naming_the_new_field()
    {
        Dictionary<string, HashSet<string>> known = ParseLayout(File.ReadAllText(Golden("q35-1.0.fields")));
        using var vm = new Q35TestVm("q35-2.0");
        Dictionary<string, byte[]> sections = vm.SaveSections();
        string serial = vm.Serial.CanonicalPath;
        var e = Assert.Throws<MigrationException>(() => LoadAsOldBuild(serial, sections[serial], known));
        Assert.Equal($"{serial}: field 'rx-fifo' is not known to this build (is the destination older than the source, with a machine type that has that field?)", e.Message);
        // Every other section of q35-2.0 is of the old layout.
        foreach ((string id, byte[] payload) in sections.Where(s => s.Key != serial))
            LoadAsOldBuild(id, payload, known);
    }

    [Fact]
    public void On_q35_2_0_the_bytes_in_the_receive_fifo_move_with_the_vm()
    {
        Assert.Equal("abc", FifoAfterMigration("q35-2.0"));
    }

    [Fact]
    public void On_q35_1_0_the_receive_fifo_is_left_out_as_the_old_layout_did()
    {
        Assert.Equal("", FifoAfterMigration("q35-1.0"));
    }

    [Fact]
    public void The_compat_property_decides_and_global_can_set_it()
    {
        using var vm = new Q35TestVm("q35-2.0", globals: new GlobalProperty("isa-serial", "x-migrate-rx-fifo", "off", "-global"));
        Assert.DoesNotContain("rx-fifo", new StateReader("s", vm.SaveSections()[vm.Serial.CanonicalPath]).FieldNames);
        var list = new GlobalPropertyList();
        list.AddRange(((Core.Machines.Machine)DeviceCatalog.CreateRegistry().Find("q35-1.0")!.CreateInstance()).CompatProperties);
        var serial = (Emu.Devices.Serial.IsaSerial)Emu.Devices.Serial.IsaSerial.TypeInfo.CreateInstance();
        list.ApplyTo(serial);
        Assert.False(serial.Get(Emu.Devices.Serial.IsaSerial.MigrateReceiveFifoProperty));
    }

    // What an older build's loader does: it reads the fields it knows, and refuses the rest.
    private static void LoadAsOldBuild(string id, byte[] payload, Dictionary<string, HashSet<string>> known)
    {
        var reader = new StateReader(id, payload);
        Assert.True(known.TryGetValue(id, out HashSet<string>? fields), $"the q35-1.0 layout has no section {id}");
        foreach (string field in fields!)
            reader.ReadRaw(field);
        reader.EnsureAllRead();
    }

    private static string FifoAfterMigration(string version)
    {
        byte[] stream;
        using (var source = new Q35TestVm(version))
        {
            source.EnableSerialFifo();
            source.Serial.Uart!.Receive("abc"u8);
            stream = source.SaveStream();
        }
        using var destination = new Q35TestVm(version, incoming: true);
        IncomingMigration load = destination.LoadStream(stream);
        Assert.True(load.Status == MigrationStatus.Completed, load.Error);
        var text = new System.Text.StringBuilder();
        Span<byte> b = stackalloc byte[1];
        const int LineStatus = 5, DataReady = 1;
        while (true)
        {
            destination.Serial.Uart!.Read(LineStatus, b);
            if ((b[0] & DataReady) == 0)
                return text.ToString();
            destination.Serial.Uart.Read(0, b);
            text.Append((char)b[0]);
        }
    }
}
