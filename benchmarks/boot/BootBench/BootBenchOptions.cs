using System.Globalization;

namespace Emu.Benchmarks.Boot;

// Command line of the boot benchmark. Accel "kvm" (the default) compares the VMMs on KVM
// in one level-2 run of the nested lab; "tcg" compares emu's software CPU with QEMU's TCG
// here, at level 1, booting the kernel both ways (bzImage and PVH vmlinux).
internal sealed record BootBenchOptions(int Runs, int Cpus, int MemoryMiB, string Configuration, string Accel)
{
    public static BootBenchOptions Parse(string[] args)
    {
        int runs = 5, cpus = 2, memory = 1024;
        int? cpusGiven = null, memoryGiven = null;
        string accel = "kvm";
        string configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--smp": cpusGiven = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--memory-mib": memoryGiven = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--configuration": configuration = Value(); break;
                case "--accel": accel = Value(); break;
                default: throw new ArgumentException($"unknown option {args[i]} (--runs N, --smp N, --memory-mib N, --accel kvm|tcg, --configuration Debug|Release)");
            }
        }
        if (accel is not ("kvm" or "tcg"))
            throw new ArgumentException($"--accel {accel}: kvm or tcg");
        // The software-CPU comparison defaults to what issue 13's anchor measured: -smp 1, 512 MiB.
        cpus = cpusGiven ?? (accel == "tcg" ? 1 : cpus);
        memory = memoryGiven ?? (accel == "tcg" ? 512 : memory);
        if (runs < 1 || cpus < 1 || memory < 128)
            throw new ArgumentException("--runs and --smp must be at least 1, --memory-mib at least 128");
        return new BootBenchOptions(runs, cpus, memory, configuration, accel);
    }
}
