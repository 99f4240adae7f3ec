using System.Text;

namespace Emu.Host.Tests.Migration;

/// <summary>
/// The firmware's dirty:MIB:N mode (firmware/src/dirty.c) and what it must
/// print, computed here independently: a run that was migrated or restored
/// halfway prints exactly this, across its source and destination.
/// </summary>
internal static class DirtyGuest
{
    // Tests size their pass counts so that the guest is still running when a migration or
    // snapshot they start after pass 16 completes: with the software CPU's JIT (on by
    // default) a pass of 4 MiB takes about 3 ms here, ten times less than interpreted.
    // The accelerator is the [AccelFact] case's (tcg here, kvm where KVM is), else the software CPU.
    public static string[] Arguments(int mib, int passes) => ["-accel", Emu.Lab.TestAccelerator.Current ?? "tcg", "-fw_cfg", $"name=opt/emu/mode,string=dirty:{mib}:{passes}"];

    /// <summary>The whole console output of a run that completes (CR LF line ends).</summary>
    public static string ExpectedOutput(int mib, int passes)
    {
        ulong lines = (ulong)mib * (1024 * 1024 / 64);
        var text = new StringBuilder();
        for (uint pass = 1; pass <= passes; pass++)
        {
            if (pass % 16 != 0 && pass != passes)
                continue;
            ulong sum = 0;
            for (ulong line = 0; line < lines; line++)
                sum ^= Value(pass, line);
            text.Append($"pass {pass} sum={sum:x16}\r\n");
        }
        text.Append($"done dirty {passes}\r\n");
        return text.ToString();
    }

    private static ulong Value(uint pass, ulong line)
    {
        ulong x = unchecked(line * 0x9E3779B97F4A7C15UL + pass * 0xC2B2AE3D27D4EB4FUL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return x | 1;
    }
}
