using System.Globalization;
using Emu.Lab;

namespace Emu.Lab.Run;

// lab-run [--timeout MINUTES] [--env NAME]... [--] COMMAND [ARGS...]
//
// Boots level 2 of the nested lab (tests/Emu.Lab/README.md), runs COMMAND there in the
// current directory (host paths are level-2 paths) with the named environment variables,
// prints its output as it comes and exits with its status (125 when level 2 could not
// run it). Benchmark runners that need KVM use it when this machine has none.
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var forwarded = new List<string>();
        TimeSpan timeout = TimeSpan.FromMinutes(60);
        int i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            string option = args[i];
            if (option == "--")
            {
                i++;
                break;
            }
            if (i + 1 >= args.Length)
                return Usage($"{option} needs a value");
            string value = args[++i];
            switch (option)
            {
                case "--env":
                    forwarded.Add(value);
                    break;
                case "--timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes) && minutes > 0:
                    timeout = TimeSpan.FromMinutes(minutes);
                    break;
                default:
                    return Usage($"bad option {option} {value}");
            }
        }
        if (i >= args.Length)
            return Usage("no command given");
        if (LabRequirements.Level2MissingReason is { } missing)
        {
            Console.Error.WriteLine($"lab-run: {missing}");
            return Level2Command.Level2Failed;
        }
        return await Level2Command.RunAsync(args[i..], Environment.CurrentDirectory, forwarded, timeout, Console.Out).ConfigureAwait(false);
    }

    static int Usage(string problem)
    {
        Console.Error.WriteLine($"lab-run: {problem}\nusage: lab-run [--timeout MINUTES] [--env NAME]... [--] COMMAND [ARGS...]");
        return 2;
    }
}
