using System.Globalization;
using System.Text;
using System.Text.Json;
using Emu.Lab;

namespace Emu.Lab.Tests;

// One level-2 boot (Debian's Linux 6.12.118 with the mtty sample driver, MttyKernel) for
// every acceptance check of migrating a KVM guest with a mediated VFIO device (issue 16).
// emu runs with -accel kvm in level 2; its level-3 guest (MttyLinuxMigrationGuest) has
// virtio-blk, virtio-net on a tap bridged in level 2, and an mtty-2 mdev bound by 8250_pci.
// One guest goes through every step, driven by MttyMigrationDriver: on source A, a
// migration to D cancelled while RAM moves, then one to E (an mtty-1 mdev) that E refuses;
// A must still hold its FIFO bytes, count, serve its serial port and ping. Then live from A
// to B over a unix socket, and a snapshot of B (stop + migrate file:) restored into C
// (-incoming defer + migrate-incoming + cont), each with the same checks on the far side.
// Each step's outcome is kept separately, so each test asserts its own part.
public sealed class MttyLinuxMigrationLabRun
{
    // Console lines of one VM: when the driver saw each one (seconds after it started).
    public sealed record ConsoleLine(double Time, string Text);

    MttyLinuxMigrationLabRun(Level2Result result, IReadOnlyList<string> lines)
    {
        Result = result;
        Lines = lines;
        Parse(lines);
    }

    // The driver's whole log (MttyMigrationDriver.LogName): every console line, mark, result and sample.
    public IReadOnlyList<string> Lines { get; }

    public Level2Result Result { get; }

    // Blocks among those the guest wrote that the image does not hold (MigrationGuestParts.
    // MissingBlocks); null when the guest never said how many it wrote or the image is gone.
    public List<int>? MissingBlocks { get; private set; }

    public Dictionary<string, List<ConsoleLine>> Consoles { get; } = [];

    public Dictionary<string, double> Marks { get; } = [];

    public Dictionary<string, JsonElement> Results { get; } = [];

    public List<string> Errors { get; } = [];

    // A run's step outcome, or a failure that names what the run printed instead.
    public JsonElement this[string result] =>
        Results.TryGetValue(result, out JsonElement value) ? value : throw new Xunit.Sdk.XunitException($"the run has no result '{result}': {Describe()}");

    public double Mark(string name) =>
        Marks.TryGetValue(name, out double t) ? t : throw new Xunit.Sdk.XunitException($"the run never reached '{name}': {Describe()}");

    // The check script's lines a VM printed (the @L3@ lines of its console).
    public Level3Output Guest(string vm) =>
        Level3Output.Parse(string.Join('\n', Consoles.GetValueOrDefault(vm, []).Select(l => l.Text)));

    // The guest's lines of VM with the time each arrived.
    public IEnumerable<ConsoleLine> GuestLines(string vm) =>
        Consoles.GetValueOrDefault(vm, [])
            .Select(l => (l.Time, At: l.Text.IndexOf(Level3Guest.LineMarker, StringComparison.Ordinal), l.Text))
            .Where(x => x.At >= 0)
            .Select(x => new ConsoleLine(x.Time, x.Text[(x.At + Level3Guest.LineMarker.Length)..]));

    // The values of "key=value" lines a VM's guest printed, in order.
    public List<string> Values(string vm, string key) =>
        Guest(vm).Lines.Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..].Trim()).ToList();

    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (string e in Errors)
            sb.Append("driver error: ").Append(e).Append('\n');
        foreach (string line in Lines.Where(l => !l.StartsWith("con ", StringComparison.Ordinal) && !l.StartsWith("sample ", StringComparison.Ordinal)).TakeLast(60))
            sb.Append(line).Append('\n');
        return sb.Append(Result.Describe()).ToString();
    }

    void Parse(IReadOnlyList<string> lines)
    {
        foreach (string text in lines)
        {
            // The job's output reaches the host through 9p while level 2 appends to it: a
            // line read at the wrong moment can start with the zeros of a not yet written page.
            string line = text.TrimStart('\0');
            string[] w = line.Split(' ', 4);
            switch (w[0])
            {
                case "con" when w.Length >= 3:
                    if (!Consoles.TryGetValue(w[1], out List<ConsoleLine>? list))
                        Consoles[w[1]] = list = [];
                    list.Add(new ConsoleLine(double.Parse(w[2], CultureInfo.InvariantCulture), w.Length > 3 ? w[3] : ""));
                    break;
                case "mark" when w.Length >= 3:
                    Marks.TryAdd(w[2], double.Parse(w[1], CultureInfo.InvariantCulture));
                    break;
                case "result" when w.Length >= 3:
                    string[] r = line.Split(' ', 3);
                    Results[r[1]] = JsonDocument.Parse(r[2]).RootElement.Clone();
                    break;
                case "error":
                    Errors.Add(line["error ".Length..]);
                    break;
            }
        }
    }

    static readonly SemaphoreSlim s_lock = new(1, 1);
    static MttyLinuxMigrationLabRun? s_run;

    // One boot per test process, shared by the tests (a retry if level 2 itself crashed).
    public static async Task<MttyLinuxMigrationLabRun> GetAsync(Action<string> log)
    {
        await s_lock.WaitAsync();
        try
        {
            return s_run ??= await Level2Retry.RunAsync(() => RunAsync(log), log);
        }
        finally
        {
            s_lock.Release();
        }
    }

    static async Task<MttyLinuxMigrationLabRun> RunAsync(Action<string> log)
    {
        LabEnvironment env = MttyKernel.Environment();
        Level3Guest guest = MttyLinuxMigrationGuest.Create(env);
        var options = new Level2Options { ConsoleLine = line => log("L2| " + line), Timeout = TimeSpan.FromMinutes(40) };
        using var run = Level2Run.Create(options, env);
        run.WriteFile(MttyMigrationDriver.FileName, MttyMigrationDriver.Script);
        run.AddJob($$"""
            set -e
            echo "kernel=$(uname -r)"
            for vm in A B C D; do set -- $(lab-mdev mtty-2); eval "MDEV_$vm=$2"; done
            set -- $(lab-mdev mtty-1); MDEV_E=$2
            ip link add mbr0 type bridge
            ip addr add {{MttyLinuxMigrationGuest.BridgeAddress}}/24 dev mbr0
            ip link set mbr0 up
            for t in a b c d e; do
                ip tuntap add dev mtap$t mode tap
                ip link set mtap$t master mbr0
                ip link set mtap$t up
            done
            truncate -s {{MttyLinuxMigrationGuest.MaxBlocks * 4096L}} /tmp/blocks.img
            truncate -s 1M /tmp/mailbox.img
            export MDEV_A MDEV_B MDEV_C MDEV_D MDEV_E DRIVER_LOG={{MttyMigrationDriver.LogName}}
            export EMU_COMMAND={{ShellQuote.Quote(InstalledEmu.ShellCommand)}} L3_MEMORY={{MttyLinuxMigrationGuest.MemoryMiB}}
            export L3_KERNEL={{ShellQuote.Quote(guest.KernelPath)}} L3_INITRD={{ShellQuote.Quote(guest.InitrdPath)}} L3_APPEND={{ShellQuote.Quote(guest.KernelCommandLine)}}
            set +e
            python3 -u "$LAB_DIR/{{MttyMigrationDriver.FileName}}"
            echo "driver_exit=$?"
            cp /tmp/{{MttyMigrationDriver.LogName}} "$LAB_DIR/{{MttyMigrationDriver.LogName}}"
            cp --sparse=always /tmp/blocks.img "$LAB_DIR/blocks.img"
            """, "mtty-linux");
        Level2Result result = await run.BootAsync();
        string driverLog = run.PathFor(MttyMigrationDriver.LogName);
        string[] lines = File.Exists(driverLog) ? File.ReadAllLines(driverLog) : [.. result.Job.OutputLines];
        var parsed = new MttyLinuxMigrationLabRun(result, lines);
        // The image is checked here, before the run directory goes: the blocks the guest
        // said it wrote ("blocks=N" when it stopped writing, on C) against the file.
        string image = run.PathFor("blocks.img");
        if (parsed.Values("C", "blocks") is [string count] && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int blocks) && File.Exists(image))
            parsed.MissingBlocks = MigrationGuestParts.MissingBlocks(image, blocks);
        return parsed;
    }
}
