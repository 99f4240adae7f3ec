using System.Text;
using Emu.Lab;

namespace Emu.Lab.Tests;

// One level-2 boot (kernel 6.1, the group/container path) shared by the vfio-pci lab
// tests: QEMU emulates an NVMe controller and an e1000e in level 2; jobs bind them to
// vfio-pci and run emu (built from this work tree; host paths are level-2 paths) with
// -device vfio-pci. Each job writes "key=value" lines the tests read.
public sealed class VfioLabRun
{
    static readonly object s_lock = new();
    static Task<VfioLabRun>? s_run;

    VfioLabRun(Level2Result result) => Result = result;

    public Level2Result Result { get; }

    public LabJobResult this[string job] => Result[job];

    // Values of "key=value" lines of a job's output (the last one wins).
    public IReadOnlyDictionary<string, string> Values(string job)
    {
        var values = new Dictionary<string, string>();
        foreach (string line in Result[job].OutputLines)
        {
            int eq = line.IndexOf('=');
            if (eq > 0 && !line.Contains(' ', StringComparison.Ordinal))
                values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }

    public static Task<VfioLabRun> GetAsync(Action<string> log)
    {
        lock (s_lock)
            return s_run ??= Level2Retry.RunAsync(() => BootAsync(log), log);
    }

    // Where emu was built: src/Host/bin/<configuration>/net10.0/emu.dll of this work tree.
    public static string EmuDll
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Emu.sln")))
                {
                    string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
                    string dll = Path.Combine(dir.FullName, "src", "Host", "bin", configuration, "net10.0", "emu.dll");
                    return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build src/Host first", dll);
                }
            }
            throw new InvalidOperationException($"no Emu.sln above {AppContext.BaseDirectory}");
        }
    }

    static async Task<VfioLabRun> BootAsync(Action<string> log)
    {
        var options = new Level2Options { ConsoleLine = line => log("L2| " + line) };
        var run = Level2Run.Create(options);
        string image = run.CreateDiskImage("nvme.img", 16 << 20, "EMU-VFIO-NVME-OK"u8);
        options.QemuArgs.AddRange(["-drive", $"file={image},if=none,id=nv,format=raw", "-device", "nvme,drive=nv,serial=lab", "-device", "e1000e"]);
        string emu = $"dotnet {ShellQuote.Quote(EmuDll)}";
        run.AddJob(Lines(
            "set -- $(lab-bind-vfio 0x010802); bdf=$1",
            "echo nvme=$bdf",
            "echo group=$2",
            // The built-in firmware runs its self-test and powers off: exit 0 means emu opened
            // the device, mapped its BARs and guest RAM, and released it all again.
            $"timeout 600 {emu} -m 256 -nographic -device vfio-pci,host=$bdf,id=nvme0 >firmware.log 2>&1; echo emu_exit=$?",
            "tail -n 5 firmware.log",
            // The group is free again: a second run opens it as well, this time with guest
            // RAM in a shared memfd, which VFIO DMA-maps by address as it does private RAM.
            $"timeout 600 {emu} -m 256 -nographic -object memory-backend-memfd,id=ram,size=256M,share=on -machine memory-backend=ram -device vfio-pci,host=$bdf >firmware2.log 2>&1; echo emu_again_exit=$?"), "firmware");
        run.AddJob(Lines(
            "nvme=$(lab-bind-vfio 0x010802 | cut -d' ' -f1)",
            "e1000e=$(for d in /sys/bus/pci/devices/*; do [ \"$(cat $d/class)\" = 0x020000 ] && basename $d && break; done)",
            "echo e1000e=$e1000e",
            Case("malformed", $"{emu} -device vfio-pci,host=0000:00:zz.0"),
            Case("missing", $"{emu} -device vfio-pci,host=0000:00:1e.7"),
            Case("unbound", $"{emu} -device vfio-pci,host=$e1000e"),
            Case("twice", $"{emu} -device vfio-pci,host=$nvme -device vfio-pci,host=$nvme"),
            Case("novfio", $"unshare -m sh -c 'mount -t tmpfs none /dev/vfio && exec {emu} -device vfio-pci,host='$nvme"),
            "chmod 666 /dev/kvm",
            Case("noperm", $"setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp DOTNET_CLI_HOME=/tmp {emu} -device vfio-pci,host=$nvme"),
            // A second emu while the first holds the device.
            $"{emu} -m 256 -nographic -S -device vfio-pci,host=$nvme >holder.log 2>&1 & holder=$!",
            "i=0; while ! grep -q vfio /proc/$holder/maps 2>/dev/null && [ $i -lt 600 ]; do sleep 0.5; i=$((i+1)); done",
            Case("busy", $"{emu} -device vfio-pci,host=$nvme"),
            "kill $holder; wait $holder 2>/dev/null; true"), "bad-input");
        Level2Result result = await run.BootAsync();
        return new VfioLabRun(result);
    }

    // Runs a command that must fail: records its status and stderr's lines as NAME_rc= and NAME_err=.
    static string Case(string name, string command) =>
        $"timeout 600 {command} >{name}.out 2>{name}.err </dev/null; echo {name}_rc=$?; echo {name}_lines=$(wc -l <{name}.err); echo \"{name}_err=$(head -n 1 {name}.err | tr ' ' '_')\"";

    static string Lines(params string[] lines)
    {
        var sb = new StringBuilder();
        foreach (string l in lines)
            sb.Append(l).Append('\n');
        return sb.ToString();
    }
}
