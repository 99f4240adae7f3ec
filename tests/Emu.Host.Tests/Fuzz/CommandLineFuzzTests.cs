using CsCheck;
using Emu.Tests.Fuzz;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Host.Tests.Fuzz;

/// <summary>
/// Generated command lines, run in-process up to where the guest would start
/// (Program.Run with startGuest false): options with hostile values (empty,
/// NUL, newlines, '/', long paths, huge numbers). Every outcome is status 0,
/// or status 1 with exactly one line "emu: ..."; no exception escapes.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class CommandLineFuzzTests
{
    private static readonly string s_dir = Path.Combine(Path.GetTempPath(), "emu-fuzz-cl");

    private static readonly string[] s_values =
    {
        "", "/", "a/b", "x", "0", "-1", "65536", "4294967296", "99999999999999999999", "1G", "17179869183G", "on", "off",
        "a\nb", "a\0b", "\r", ",", ",,", "=", "id=", "help", new string('y', 200), "/nonexistent/dir/f", "/dev/null", "/tmp",
    };

    private static readonly string[] s_options =
    {
        "-m", "-smp", "-kernel", "-initrd", "-bios", "-append", "-serial", "-chardev", "-device", "-drive", "-object", "-qmp",
        "-global", "-fw_cfg", "-pidfile", "-name", "-cpu", "-machine", "-netdev",
    };

    private static readonly string[] s_templates =
    {
        "{0}", "null,id={0}", "socket,id=c0,path={1}/{0}.sock,server=on,wait=off", "file,id=f0,path={0}", "isa-debug-exit,id={0}",
        "isa-debug-exit,iobase={0}", "file={0},if=none,id=d0", "file=/dev/null,if=none,id={0}", "iommufd,id={0}", "unix:{1}/{0},server=on,wait=off",
        "unix:{0},server=on,wait=off", "sockets={0},cores={0}", "cpus={0}", "name=opt/{0},string={0}", "name=opt/x,file={0}", "isa-serial.iobase={0}",
        "q35,accel={0}", "tap,id={0},ifname={0}", "virtio-blk-pci,drive={0}",
    };

    private static readonly Gen<string[]> s_commandLine =
        Gen.Select(Gen.Int[0, s_options.Length - 1], Gen.Int[0, s_templates.Length - 1], Gen.Int[0, s_values.Length - 1])
            .Select((o, t, v) => new[] { s_options[o], string.Format(s_templates[t], s_values[v], s_dir) })
            .Array[1, 3]
            .Select(parts => parts.SelectMany(p => p).Append("-accel").Append("tcg").ToArray());

    [Fact]
    public void EveryCommandLineStartsOrFailsWithOneLine()
    {
        Directory.CreateDirectory(s_dir);
        s_commandLine.Sample(args =>
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int status = Program.Run(args, stdout, stderr, NullLoggerFactory.Instance, startGuest: false);
            string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (status == 0)
                return;
            Assert.Equal(1, status);
            Assert.Single(lines);
            Assert.StartsWith("emu: ", lines[0]);
        }, iter: FuzzBudget.Iterations(300), time: FuzzBudget.Seconds, threads: 1, print: a => string.Join(" ", a.Select(x => $"'{x}'")));
    }
}
