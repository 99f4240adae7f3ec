using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Emu.Lab;

namespace Emu.Benchmarks.Boot;

// The software-CPU comparison, here at level 1 (no KVM needed): Debian's kernel and the
// lab's busybox initramfs booted by emu -accel tcg and by qemu-system-x86_64 -accel tcg
// -M q35 (SeaBIOS and its linuxboot option ROM), both through the bzImage (its
// decompressor runs in the guest) and through the uncompressed vmlinux's PVH entry, in
// turns. emu runs with EMU_JIT_STATS=1, so each boot reports the guest instructions its
// software CPU ran; QEMU has no such count without plugins (Debian builds none).
internal static partial class TcgBootRun
{
    public static int Run(BootBenchOptions options, LabEnvironment env, string emu, string timer)
    {
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        Level3Guest guest = Level3Guest.Create("true");
        string dir = Directory.CreateTempSubdirectory("emu-bootbench-tcg-").FullName;
        string size = $"-smp {options.Cpus} -m {options.MemoryMiB}";
        string Boot(string kernel) => ShellQuote.Join(["-kernel", kernel, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine]);
        string emuCommand = $"env EMU_JIT_STATS=1 {ShellQuote.Quote(emu)} -accel tcg -machine q35 {size} -nographic -no-reboot";
        string qemuCommand = $"qemu-system-x86_64 -accel tcg -M q35 {size} -nographic -no-reboot -nic none -vga none";
        var vmms = new (string Name, string Command)[]
        {
            ("emu-tcg-bzimage", $"{emuCommand} {Boot(guest.KernelPath)}"),
            ("qemu-tcg-bzimage", $"{qemuCommand} {Boot(guest.KernelPath)}"),
            ("emu-tcg-pvh", $"{emuCommand} {Boot(vmlinux)}"),
            ("qemu-tcg-pvh", $"{qemuCommand} {Boot(vmlinux)}"),
        };
        var script = new StringBuilder();
        script.AppendLine("set -u");
        script.AppendLine("qemu-system-x86_64 --version | head -1");
        foreach (var (name, command) in vmms)
            script.AppendLine(CultureInfo.InvariantCulture, $"timeout -k 5 300 {command} </dev/null >{ShellQuote.Quote(Path.Combine(dir, $"warmup-{name}.log"))} 2>&1; echo \"warmup {name} rc=$?\"");
        for (int run = 0; run < options.Runs; run++)
        {
            foreach (var (name, command) in vmms)
            {
                string log = ShellQuote.Quote(Path.Combine(dir, $"{name}-{run}.log"));
                script.AppendLine(CultureInfo.InvariantCulture,
                    $"printf 'sample vmm={name} '; perl {ShellQuote.Quote(timer)} {ShellQuote.Quote(Level3Guest.BeginMarker)} {log} timeout -k 5 300 {command} </dev/null 2>{log}.stderr");
                script.AppendLine(CultureInfo.InvariantCulture,
                    $"grep -q {ShellQuote.Quote(Level3Guest.BeginMarker)} {log} || {{ echo \"failed-sample {name}-{run}\"; sed 's/^/  stderr: /' {log}.stderr; tail -c 2000 {log} | sed 's/^/  console: /'; }}");
            }
        }

        Console.WriteLine($"{options.Runs} runs of each VMM with {size}, kernel {env.KernelVersion}, logs in {dir} ...");
        List<string> lines = RunScript(script.ToString());
        foreach (string line in lines.Where(l => !l.StartsWith("sample ", StringComparison.Ordinal)))
            Console.WriteLine(line);
        var samples = new List<BootSample>();
        var seen = new Dictionary<string, int>();
        foreach (BootSample sample in lines.Select(BootSample.TryParse).OfType<BootSample>())
        {
            int run = seen[sample.Vmm] = seen.GetValueOrDefault(sample.Vmm, -1) + 1;
            string stderr = Path.Combine(dir, $"{sample.Vmm}-{run}.log.stderr");
            samples.Add(sample.Vmm.StartsWith("emu", StringComparison.Ordinal) ? sample with { Instructions = CountInstructions(stderr) } : sample);
        }
        if (samples.Count != options.Runs * vmms.Length)
        {
            Console.Error.WriteLine($"bootbench: expected {options.Runs * vmms.Length} samples, got {samples.Count}");
            return 1;
        }
        // emu-tcg-X is compared with qemu-tcg-X: the same kernel image and entry.
        BootReport.Print(Console.Out, vmms.Select(v => v.Name).ToList(), samples, (e, q) => e["emu".Length..] == q["qemu".Length..]);
        bool clean = samples.All(s => s.ExitCode == 0 && s.FirstLineSeconds != null);
        if (clean)
            Directory.Delete(dir, recursive: true);
        return clean ? 0 : 1;
    }

    private static List<string> RunScript(string script)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true };
        using Process bash = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bash");
        bash.StandardInput.Write(script);
        bash.StandardInput.Close();
        var lines = new List<string>();
        while (bash.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("sample ", StringComparison.Ordinal))
                Console.WriteLine(line);
        }
        bash.WaitForExit();
        return lines;
    }

    // "vcpu N: jit ...; <count> instructions" per vCPU at exit; null when emu printed none.
    private static long? CountInstructions(string stderrPath)
    {
        if (!File.Exists(stderrPath))
            return null;
        long total = 0;
        bool any = false;
        foreach (Match m in InstructionsRegex().Matches(File.ReadAllText(stderrPath)))
        {
            total += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            any = true;
        }
        return any ? total : null;
    }

    [GeneratedRegex(@"; (\d+) instructions$", RegexOptions.Multiline)]
    private static partial Regex InstructionsRegex();
}
