using System.Diagnostics;

namespace Emu.Accel.Tests;

/// <summary>
/// Compiles and runs a small C program against the system's uAPI headers and
/// returns what it printed: "sizeof NAME N", "offsetof NAME.FIELD N" and
/// "const NAME N" lines, keyed by the part before the number.
/// </summary>
internal static class CLayoutProbe
{
    public static Dictionary<string, ulong> Run(string includes, IEnumerable<string> statements)
    {
        string dir = Path.Combine(Path.GetTempPath(), "emu-layout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string source = Path.Combine(dir, "probe.c");
            string binary = Path.Combine(dir, "probe");
            File.WriteAllText(source, $$"""
                #include <stdio.h>
                #include <stddef.h>
                {{includes}}
                #define SIZE(t) printf("sizeof %s %zu\n", #t, sizeof(struct t));
                #define OFF(t, f) printf("offsetof %s.%s %zu\n", #t, #f, offsetof(struct t, f));
                #define CONST(n) printf("const %s %llu\n", #n, (unsigned long long)(n));
                int main(void) {
                {{string.Join("\n", statements)}}
                return 0;
                }
                """);
            Exec("gcc", $"-Wall -Werror -o {binary} {source}");
            string output = Exec(binary, "");
            var result = new Dictionary<string, ulong>();
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int space = line.LastIndexOf(' ');
                result[line[..space]] = ulong.Parse(line[(space + 1)..]);
            }
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Exec(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {stderr}");
        return stdout;
    }
}
