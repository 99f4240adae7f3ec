using System.Globalization;
using System.Text;
using Emu.Benchmarks.Shared;
using Emu.Lab;

namespace Emu.Benchmarks.Boot;

// Boot time and memory of emu against QEMU, measured side by side in one level-2 run of
// the nested lab (shared/LAB.md): the same Debian kernel and busybox initramfs, the same
// -smp and -m, booted with
//   emu                  -machine q35 (direct 64-bit boot, no firmware), published as a
//                        user installs it (one NativeAOT executable:
//                        see src/Host/Emu.Host.csproj) ("emu-q35"), and as
//                        `dotnet build` leaves it, JIT-compiled at start ("emu-q35-jit")
//   qemu-system-x86_64   -accel kvm -M q35 (SeaBIOS and its linuxboot option ROM)
//   qemu-system-x86_64   -accel kvm -M microvm (direct boot)
// in turns, --runs times each. Reported: the median time from exec to the level-3 init's
// first line and to the VMM's exit after the guest's poweroff, the median peak RSS, and
// emu's ratios to each QEMU. Absolute times in level 2 are TCG-slow; only ratios mean anything.
//
//   dotnet run -c Release --project benchmarks/boot/BootBench -- [--runs 5] [--smp 2] [--memory-mib 1024]
//
// With --accel tcg it compares the software CPUs instead, at level 1 (TcgBootRun).
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BootBenchOptions options;
        try
        {
            options = BootBenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"bootbench: {e.Message}");
            return 1;
        }
        var env = LabEnvironment.Current;
        if (env.MissingReason is { } missing)
        {
            Console.Error.WriteLine($"bootbench: {missing}");
            return 1;
        }
        string repo = BenchmarkRepository.Find();
        string emuJit = Path.Combine(repo, "src", "Host", "bin", options.Configuration, "net10.0", "emu");
        string timer = Path.Combine(repo, "benchmarks", "boot", "boot-time.pl");
        if (!File.Exists(emuJit))
        {
            Console.Error.WriteLine($"bootbench: {emuJit} is missing: build src/Host -c {options.Configuration}");
            return 1;
        }
        string published = Path.Combine(env.CacheDirectory, "bootbench", "emu-published");
        Console.WriteLine($"publishing emu to {published} ...");
        string emu;
        try
        {
            emu = BenchmarkRepository.PublishEmu(repo, published);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"bootbench: {e.Message}");
            return 1;
        }
        if (options.Accel == "tcg")
            return TcgBootRun.Run(options, env, emu, timer);

        Level3Guest guest = Level3Guest.Create("true");
        string boot = ShellQuote.Join(["-kernel", guest.KernelPath, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine]);
        string size = $"-smp {options.Cpus} -m {options.MemoryMiB}";
        // Guest RAM is private anonymous memory in emu and QEMU alike, on transparent huge
        // pages under Debian's default THP settings. emu-q35-memfd puts it in a shared memfd
        // (-object memory-backend-memfd,share=on): shmem, which gets huge pages only where
        // shmem_enabled allows them; Debian's default is "never". Each boot sets
        // shmem_enabled first: "never" (the default) for every VMM.
        const string Thp = "/sys/kernel/mm/transparent_hugepage/shmem_enabled";
        string memfd = $"-object memory-backend-memfd,id=ram,size={options.MemoryMiB}M,share=on -machine memory-backend=ram";
        var vmms = new (string Name, string ShmemThp, string Command)[]
        {
            ("emu-q35", "never", $"{ShellQuote.Quote(emu)} -machine q35 {size} -nographic {boot}"),
            ("emu-q35-memfd", "never", $"{ShellQuote.Quote(emu)} -machine q35 {size} {memfd} -nographic {boot}"),
            ("emu-q35-jit", "never", $"{ShellQuote.Quote(emuJit)} -machine q35 {size} -nographic {boot}"),
            ("qemu-q35", "never", $"qemu-system-x86_64 -accel kvm -M q35 -cpu host {size} -nographic -no-reboot -nic none -vga none {boot}"),
            ("qemu-microvm", "never", $"qemu-system-x86_64 -accel kvm -M microvm -cpu host {size} -nographic -no-reboot {boot}"),
        };
        var script = new StringBuilder();
        script.AppendLine("set -u");
        script.AppendLine("qemu-system-x86_64 --version | head -1");
        // One boot of each first, unmeasured: file caches warm for everyone alike.
        foreach (var (name, thp, command) in vmms)
            script.AppendLine(CultureInfo.InvariantCulture, $"echo {thp} >{Thp}; timeout -k 5 300 {command} </dev/null >\"$LAB_DIR/warmup-{name}.log\" 2>&1; echo \"warmup {name} rc=$?\"");
        for (int run = 0; run < options.Runs; run++)
        {
            foreach (var (name, thp, command) in vmms)
            {
                string log = $"$LAB_DIR/{name}-{run}.log";
                // The VMM's stderr goes to a file of its own: a message there (QEMU's
                // "terminating on signal" when timeout stops it) must not split the sample line.
                script.AppendLine(CultureInfo.InvariantCulture,
                    $"echo {thp} >{Thp}; printf 'sample vmm={name} '; perl {ShellQuote.Quote(timer)} {ShellQuote.Quote(Level3Guest.BeginMarker)} \"{log}\" timeout -k 5 300 {command} </dev/null 2>\"{log}.stderr\"");
                // A boot without the init's line or with a non-zero status leaves its stderr
                // and console tail in the output (the run directory goes when the run succeeds).
                script.AppendLine(CultureInfo.InvariantCulture,
                    $"grep -q {ShellQuote.Quote(Level3Guest.BeginMarker)} \"{log}\" || {{ echo \"failed-sample {name}-{run}\"; sed 's/^/  stderr: /' \"{log}.stderr\"; tail -c 2000 \"{log}\" | sed 's/^/  console: /'; }}");
            }
        }

        Console.WriteLine($"booting level 2; {options.Runs} runs of each VMM with {size}, kernel {env.KernelVersion} ...");
        using var lab = Level2Run.Create(new Level2Options { Timeout = TimeSpan.FromMinutes(60) });
        lab.AddJob(script.ToString(), "boot-bench");
        Level2Result result = await lab.BootAsync();
        LabJobResult job = result.Job;
        var samples = job.OutputLines.Select(BootSample.TryParse).OfType<BootSample>().ToList();
        foreach (string line in job.OutputLines.Where(l => l.StartsWith("warmup", StringComparison.Ordinal) || l.StartsWith("QEMU", StringComparison.Ordinal)
            || l.StartsWith("failed-sample", StringComparison.Ordinal) || l.StartsWith("  stderr: ", StringComparison.Ordinal) || l.StartsWith("  console: ", StringComparison.Ordinal)))
            Console.WriteLine(line);
        if (!result.Completed || samples.Count != options.Runs * vmms.Length)
        {
            Console.Error.WriteLine($"bootbench: expected {options.Runs * vmms.Length} samples, got {samples.Count}\n{result.Describe()}");
            return 1;
        }
        BootReport.Print(Console.Out, vmms.Select(v => v.Name).ToList(), samples);
        return samples.All(s => s.ExitCode == 0 && s.FirstLineSeconds != null) ? 0 : 1;
    }
}
