using System.Globalization;
using Emu.Benchmarks.Shared;

namespace Emu.E2E;

/// <summary>
/// Runs the built-in firmware's three workloads (no exits, N port-I/O exits,
/// N MMIO exits) on the bare KVM_RUN floor, emu and QEMU, interleaved, and
/// prints medians and the ratios the project's targets are stated in.
///
///   dotnet run --project benchmarks/Emu.E2E -c Release -- [--runs 7] [--exits 100000]
///       [--emu PATH] [--qemu PATH] [--only floor,emu,qemu] [--accel kvm|tcg] [--iterations 100000000]
///
/// With --accel tcg it compares emu's software CPU with QEMU's (TCG) instead,
/// at level 1 and without the KVM floor: exec-to-exit of the self-test and of
/// an empty run, the cost of a port write and of an MMIO store above the
/// empty run, and the guest instruction rate of a register-only loop.
///
/// Without --emu it publishes emu into artifacts/emu as a user installs it (one NativeAOT executable).
/// On a machine without /dev/kvm the whole comparison runs inside one level-2 boot of the nested lab.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        int runs = 7;
        long exits = 100_000;
        // The loop must run long enough (hundreds of millions of instructions) for its time to
        // stand well above the start-up it is measured against.
        long iterations = 100_000_000;
        string? emu = null;
        string qemu = "qemu-system-x86_64";
        string[] only = { "floor", "emu", "qemu" };
        string accel = "kvm";
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--exits": exits = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--iterations": iterations = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--emu": emu = Next(); break;
                case "--qemu": qemu = Next(); break;
                case "--only": only = Next().Split(','); break;
                case "--accel": accel = Next(); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        if (accel is not ("kvm" or "tcg"))
        {
            Console.Error.WriteLine($"--accel {accel}: kvm or tcg");
            return 2;
        }
        string repository = BenchmarkRepository.Find();
        if (accel == "kvm" && !BenchmarkLevel2.KvmWorksHere)
        {
            // Published here, where it is quick; measured there.
            string[] relaunch = emu != null ? args : [.. args, "--emu", BenchmarkRepository.PublishEmu(repository, Path.Combine(repository, "artifacts", "emu"))];
            return BenchmarkLevel2.Relaunch(repository, relaunch);
        }
        string work = Directory.CreateTempSubdirectory("emu-e2e-").FullName;
        try
        {
            string floor = Tools.Compile(Path.Combine(repository, "benchmarks/e2e/kvm-floor.c"), work);
            string measure = Tools.Compile(Path.Combine(repository, "benchmarks/e2e/measure.c"), work);
            emu ??= BenchmarkRepository.PublishEmu(repository, Path.Combine(repository, "artifacts", "emu"));
            string rom = FirmwareRom.Build(repository, Path.Combine(work, "firmware"));
            var modes = new Dictionary<string, string>
            {
                ["none"] = FirmwareRom.Patch(rom, "none", work),
                ["pio"] = FirmwareRom.Patch(rom, $"pio:{exits}", work),
                ["mmio"] = FirmwareRom.Patch(rom, $"mmio:{exits}", work),
            };
            if (accel == "tcg")
            {
                modes["selftest"] = FirmwareRom.Patch(rom, "selftest", work);
                modes["loop"] = FirmwareRom.Patch(rom, $"loop:{iterations}", work);
            }
            var vmms = new List<Vmm>
            {
                new("floor", r => new[] { floor, r }),
                new("emu", r => new[] { emu, "-accel", accel, "-m", "128", "-bios", r, "-serial", "null", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" }),
                new("qemu", r => new[] { qemu, "-accel", accel, "-M", "q35", "-m", "128", "-bios", r, "-display", "none", "-serial", "null", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" }),
            }.Where(v => only.Contains(v.Name) && !(accel == "tcg" && v.Name == "floor")).ToList();

            var report = new Report();
            // Interleave: every round runs each VMM on each workload once, so load changes hit all alike.
            for (int round = 0; round < runs; round++)
            {
                foreach ((string mode, string image) in modes)
                {
                    foreach (Vmm vmm in vmms)
                    {
                        Measurement m = Tools.Measure(measure, vmm.CommandLine(image));
                        if (m.Status != 0)
                            throw new InvalidOperationException($"{vmm.Name} {mode} exited {m.Status}: {string.Join(' ', vmm.CommandLine(image))}");
                        report.Add(vmm.Name, mode, m);
                    }
                }
                Console.Error.Write($"\rround {round + 1}/{runs}");
            }
            Console.Error.WriteLine();
            Console.WriteLine($"Machine load before the run: {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine(accel == "tcg"
                ? report.RenderSoftwareCpu(vmms.Select(v => v.Name).ToList(), exits, iterations, runs)
                : report.Render(vmms.Select(v => v.Name).ToList(), exits, runs));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

}
