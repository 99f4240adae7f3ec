using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Host.Tests;

/// <summary>
/// Issue 15, item 11: every bad command line ends in one line "emu: ...",
/// status 1, and no stack trace (these cases ended in an unhandled exception,
/// started one CPU for 2^32, or printed several lines).
/// </summary>
public sealed class EmuBadCommandLineTests
{
    // 120 bytes: longer than sun_path (108 with the NUL) allows.
    private static readonly string s_longSocketPath = "/tmp/" + new string('x', 115) + ".sock";

    [Theory]
    [InlineData(new[] { "-kernel", "" }, "-kernel: empty file name")]
    [InlineData(new[] { "-initrd", "", "-kernel", "/bin/true" }, "-initrd: empty file name")]
    [InlineData(new[] { "-bios", "" }, "-bios: empty file name")]
    [InlineData(new[] { "-pidfile", "" }, "-pidfile: empty file name")]
    [InlineData(new[] { "-drive", "file=,if=none,id=d0" }, "empty file name")]
    [InlineData(new[] { "-fw_cfg", "name=opt/x,file=" }, "empty file name")]
    [InlineData(new[] { "-qmp", "unix:LONG,server=on,wait=off" }, "at most 107 bytes")]
    [InlineData(new[] { "-chardev", "socket,id=c0,path=LONG,server=on,wait=off" }, "at most 107 bytes")]
    [InlineData(new[] { "-serial", "unix:LONG,server=on,wait=off" }, "at most 107 bytes")]
    [InlineData(new[] { "-chardev", "null,id=" }, "invalid id ''")]
    [InlineData(new[] { "-chardev", "null,id=a/b" }, "invalid id 'a/b'")]
    [InlineData(new[] { "-object", "iommufd,id=/" }, "invalid id '/'")]
    [InlineData(new[] { "-device", "isa-debug-exit,id=a/b" }, "invalid id 'a/b'")]
    [InlineData(new[] { "-drive", "file=/dev/null,if=none,id=../x" }, "invalid id '../x'")]
    [InlineData(new[] { "-smp", "sockets=65536,cores=65536" }, "= 4294967296 CPUs exceeds the maximum")]
    [InlineData(new[] { "-smp", "sockets=65536,dies=65536,cores=65536,threads=65536" }, "exceeds the maximum")]
    [InlineData(new[] { "-m", "1G\nfoo" }, "invalid RAM size '1G\\nfoo'")]
    [InlineData(new[] { "-device", "isa-debug-exit,iobase=1\r\n2" }, "iobase")]
    [InlineData(new[] { "-qmp", "unix:/nonexistent/dir/qmp.sock,server=on,wait=off" }, "cannot bind: No such file or directory")]
    [InlineData(new[] { "-chardev", "socket,id=c0,path=/nonexistent/dir/s.sock,server=on,wait=off" }, "No such file or directory")]
    [InlineData(new[] { "-serial", "unix:/nonexistent/dir/s.sock,server=on,wait=off" }, "No such file or directory")]
    [InlineData(new[] { "-m", "17179869183G" }, "too large")]
    public void IsOneLineAndStatusOne(string[] args, string expected)
    {
        args = args.Select(a => a.Replace("LONG", s_longSocketPath, StringComparison.Ordinal)).ToArray();
        EmuProcess run = EmuProcess.Run(args);
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("emu: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Unhandled exception", run.Stderr);
        Assert.False(File.Exists(s_longSocketPath));
    }

    // execve(2) cannot carry a NUL, but a caller in the same process can; a C
    // string ends at the NUL, so "-kernel a\0b" would open "a". FileInfo threw
    // ArgumentException before.
    [Theory]
    [InlineData("-kernel", "vmlinuz\0x")]
    [InlineData("-bios", "\0")]
    [InlineData("-chardev", "file,id=f,path=/tmp/a\0b")]
    [InlineData("-qmp", "unix:/tmp/q\0s,server=on,wait=off")]
    public void ANulInAnArgumentIsOneLineInProcess(string option, string value)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int status = Program.Run(new[] { option, value, "-accel", "tcg" }, stdout, stderr, NullLoggerFactory.Instance, startGuest: false);
        Assert.Equal(1, status);
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("emu: argument 2 contains a NUL byte", line);
    }

    [Fact]
    public void ControlCharactersInAMessageAreEscaped()
    {
        Assert.Equal("a\\nb\\r\\tc\\x00\\x1b", Program.OneLine("a\nb\r\tc\0\u001b"));
        Assert.Equal("plain", Program.OneLine("plain"));
    }
}
