using System.Globalization;
using System.Text;

namespace Emu.Lab;

// One line per level-2 boot and per retry, appended to <cache>/journal.log by every test
// process of the machine, so that a whole test run can say afterwards how many level-2
// boots it made, how long they took and how often level 2 had to be booted again
// (scripts/test.sh prints the lines a run added).
public static class Level2Journal
{
    public static string PathFor(LabEnvironment env) => Path.Combine(env.CacheDirectory, "journal.log");

    public static void Record(LabEnvironment env, string line)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line.ReplaceLineEndings(" | ")}\n");
        try
        {
            // One write in append mode: lines of concurrent test processes do not interleave.
            using var file = new FileStream(PathFor(env), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            file.Write(Encoding.UTF8.GetBytes(text));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The journal is a report; a run does not fail for want of it.
        }
    }
}
