using System.Diagnostics;
using System.Globalization;
using System.Text;
using Emu.Benchmarks.Shared;

namespace Emu.QmpLatency;

/// <summary>
/// QMP latency, emu against QEMU in the same run: COUNT query-status round
/// trips on one connection, after a warm-up, timed one by one; median and
/// 99th percentile per VMM, and emu's ratio to QEMU. Each VMM runs the
/// built-in firmware ROM (byte-identical for both) twice: paused before the
/// first instruction (-S: QMP alone) and running the firmware's port-I/O loop
/// (the vCPU thread busy with exits, as under load). Rounds interleave the VMMs.
///
///   dotnet run --project benchmarks/qmp -c Release -- [--count 10000] [--rounds 3] [--emu PATH] [--qemu PATH]
///
/// Without --emu it publishes emu into artifacts/emu as a user installs it (one NativeAOT executable).
/// On a machine without /dev/kvm the whole comparison runs inside one level-2 boot of the nested lab.
/// </summary>
internal static class Program
{
    private const int WarmUp = 2000;
    private static readonly byte[] s_queryStatus = Encoding.ASCII.GetBytes("{\"execute\": \"query-status\"}\n");

    public static int Main(string[] args)
    {
        int count = 10_000, rounds = 3;
        string? emu = null;
        string qemu = "qemu-system-x86_64";
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--count": count = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--emu": emu = Next(); break;
                case "--qemu": qemu = Next(); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        string repository = BenchmarkRepository.Find();
        if (!BenchmarkLevel2.KvmWorksHere)
        {
            // Published here, where it is quick; measured there.
            string[] relaunch = emu != null ? args : [.. args, "--emu", BenchmarkRepository.PublishEmu(repository, Path.Combine(repository, "artifacts", "emu"))];
            return BenchmarkLevel2.Relaunch(repository, relaunch);
        }
        string work = Directory.CreateTempSubdirectory("emu-qmp-").FullName;
        try
        {
            emu ??= BenchmarkRepository.PublishEmu(repository, Path.Combine(repository, "artifacts", "emu"));
            string rom = BuildFirmware(repository, work);
            string socket = Path.Combine(work, "qmp.sock");
            string guest = "name=opt/emu/mode,string=pio:4000000000";
            var vmms = new (string Name, Func<bool, string[]> CommandLine)[]
            {
                ("emu", paused => Args(new[] { emu, "-bios", rom, "-serial", "null", "-fw_cfg", guest, "-qmp", $"unix:{socket},server=on,wait=off" }, paused)),
                ("qemu", paused => Args(new[] { qemu, "-accel", "kvm", "-M", "q35", "-bios", rom, "-display", "none", "-nodefaults", "-serial", "null", "-fw_cfg", guest, "-qmp", $"unix:{socket},server=on,wait=off" }, paused)),
            };
            var results = new List<LatencyResult>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (bool paused in new[] { true, false })
                {
                    foreach ((string name, Func<bool, string[]> commandLine) in vmms)
                    {
                        results.Add(Measure(name, paused ? "paused (-S)" : "guest running", commandLine(paused), socket, count));
                        Console.Error.Write($"\rround {round + 1}/{rounds}");
                    }
                }
            }
            Console.Error.WriteLine();
            Console.WriteLine($"QMP query-status round trips: {count} per run after {WarmUp} warm-up, one connection, {rounds} interleaved rounds");
            Console.WriteLine($"Machine load before the run: {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine($"{"scenario",-15} {"vmm",-5} {"median µs",10} {"p90 µs",10} {"p99 µs",10} {"p99.9 µs",10}   (each: median over rounds of the run's value)");
            foreach (var group in results.GroupBy(r => (r.Scenario, r.Vmm)))
            {
                Console.WriteLine($"{group.Key.Scenario,-15} {group.Key.Vmm,-5} {MedianOf(group.Select(r => r.Median)),10:F1} {MedianOf(group.Select(r => r.Percentile(0.90))),10:F1} "
                    + $"{MedianOf(group.Select(r => r.P99)),10:F1} {MedianOf(group.Select(r => r.Percentile(0.999))),10:F1}");
            }
            foreach (string scenario in results.Select(r => r.Scenario).Distinct())
            {
                double emuMedian = MedianOf(results.Where(r => r.Scenario == scenario && r.Vmm == "emu").Select(r => r.Median));
                double qemuMedian = MedianOf(results.Where(r => r.Scenario == scenario && r.Vmm == "qemu").Select(r => r.Median));
                double emuP99 = MedianOf(results.Where(r => r.Scenario == scenario && r.Vmm == "emu").Select(r => r.P99));
                double qemuP99 = MedianOf(results.Where(r => r.Scenario == scenario && r.Vmm == "qemu").Select(r => r.P99));
                Console.WriteLine($"{scenario}: emu/qemu median {emuMedian / qemuMedian:F2}, p99 {emuP99 / qemuP99:F2} (below 1: emu is faster)");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string[] Args(string[] baseArgs, bool paused) => paused ? baseArgs.Append("-S").ToArray() : baseArgs;

    private static LatencyResult Measure(string vmm, string scenario, string[] commandLine, string socket, int count)
    {
        File.Delete(socket);
        var psi = new ProcessStartInfo(commandLine[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (Environment.GetEnvironmentVariable("QMP_BENCH_EMU_ENV") is { } extra && vmm == "emu")
        {
            foreach (string pair in extra.Split(';', StringSplitOptions.RemoveEmptyEntries))
                psi.Environment[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        }
        foreach (string a in commandLine.Skip(1))
            psi.ArgumentList.Add(a);
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {commandLine[0]}");
        try
        {
            using LineClient client = LineClient.Connect(socket, TimeSpan.FromSeconds(30));
            client.ReadLine(); // greeting
            client.Execute(Encoding.ASCII.GetBytes("{\"execute\": \"qmp_capabilities\"}\n"));
            string expected = scenario.StartsWith("paused", StringComparison.Ordinal) ? "prelaunch" : "running";
            for (int i = 0; i < WarmUp; i++)
            {
                string reply = client.Execute(s_queryStatus);
                if (!reply.Contains(expected, StringComparison.Ordinal))
                    throw new InvalidOperationException($"{vmm}: unexpected reply {reply}");
            }
            var samples = new double[count];
            for (int i = 0; i < count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                client.Execute(s_queryStatus);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            Array.Sort(samples);
            client.Execute(Encoding.ASCII.GetBytes("{\"execute\": \"quit\"}\n"));
            return new LatencyResult(vmm, scenario, samples);
        }
        finally
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                process.Kill(entireProcessTree: true);
        }
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static string BuildFirmware(string repository, string work)
    {
        BenchmarkProcess.Run("make", "-s", "-C", Path.Combine(repository, "firmware"), $"BUILD={Path.Combine(work, "firmware")}");
        return Path.Combine(work, "firmware", "emu-firmware.rom");
    }

}
