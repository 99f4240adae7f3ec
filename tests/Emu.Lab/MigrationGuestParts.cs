using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emu.Lab;

// Pieces of the Linux guests that the migration tests move between emu processes (level
// 1's LinuxMigrationGuest on the software CPU, level 2's MttyLinuxMigrationGuest on KVM):
// a counter whose numbers must go on across a move without a gap longer than the
// downtime, and numbered 4 KiB blocks written with fsync all the while, every one of
// which must be in the image afterwards. The scripts are busybox sh.
public static partial class MigrationGuestParts
{
    // Runs in the background: prints "tick N UPTIME" every 0.2 s of guest time (plus
    // the cost of a fork and exec of sleep) until stopFile exists, then "ticks=N".
    public static string Counter(string stopFile) =>
        $"( n=0; while [ ! -e {stopFile} ]; do read up rest < /proc/uptime; echo \"tick $n $up\"; n=$((n+1)); sleep 0.2; done; echo \"ticks=$n\" ) &\n";

    // Writes blocks $b .. $b+count-1 (b a multiple of count) to the block device named by
    // the shell word `device` in one dd with fsync, adds count to b and prints "wrote $b";
    // a failed dd prints "dd_failed_at=$b". Each block is BlockText(n).
    public static string WriteBlocks(string device, int count) => $$"""
        i=0; : > /tmp/chunk
        while [ $i -lt {{count}} ]; do printf '%-4095s\n' "EMU-MIG-BLOCK-$((b+i))" >> /tmp/chunk; i=$((i+1)); done
        dd if=/tmp/chunk of={{device}} bs={{count * 4096}} seek=$((b/{{count}})) conv=fsync,notrunc 2>/dev/null || echo "dd_failed_at=$b"
        b=$((b+{{count}})); echo "wrote $b"

        """;

    // Block n as the guest writes it: "EMU-MIG-BLOCK-n" padded with spaces to 4095 bytes and a newline.
    public static string BlockText(int block) => $"EMU-MIG-BLOCK-{block}".PadRight(4095) + "\n";

    // Blocks among the first `blocks` of the image whose content is not BlockText(n).
    public static List<int> MissingBlocks(string image, int blocks)
    {
        var missing = new List<int>();
        byte[] block = new byte[4096];
        using var file = File.OpenRead(image);
        for (int b = 0; b < blocks; b++)
        {
            file.Position = b * 4096L;
            int read = file.ReadAtLeast(block, block.Length, throwOnEndOfStream: false);
            if (read != block.Length || Encoding.ASCII.GetString(block) != BlockText(b))
                missing.Add(b);
        }
        return missing;
    }

    [GeneratedRegex(@"^tick (\d+) ")]
    private static partial Regex Tick();

    // The counter's numbers in the order the lines (the check script's, without the @L3@ marker) show them.
    public static List<long> Ticks(IEnumerable<string> lines) =>
        lines.Select(l => Tick().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
}
