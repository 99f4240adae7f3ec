using System.Text;
using Emu.Lab;

namespace Emu.Lab.Tests;

// Pure unit tests of the harness: no QEMU, no kernel.
public class HarnessUnitTests
{
    [Fact]
    public void Cpio_round_trips_every_entry_kind()
    {
        using var ms = new MemoryStream();
        var w = new CpioWriter(ms);
        w.AddDirectory("bin");
        w.AddFile("bin/hello", "hello\n"u8, 0x1ED);
        w.AddSymlink("bin/sh", "busybox");
        w.AddCharDevice("dev/console", 5, 1);
        w.AddFile("odd", "abc"u8);
        w.Finish();

        byte[] bytes = ms.ToArray();
        Assert.Equal(0, bytes.Length % 4);
        var entries = CpioReader.Read(bytes);
        Assert.Equal(["bin", "bin/hello", "bin/sh", "dev/console", "odd"], entries.Select(e => e.Name));
        Assert.True(entries[0].IsDirectory);
        Assert.True(entries[1].IsRegularFile);
        Assert.Equal(0x1ED, (int)(entries[1].Mode & 0xFFF));
        Assert.Equal("hello\n", entries[1].Text);
        Assert.True(entries[2].IsSymlink);
        Assert.Equal("busybox", entries[2].Text);
        Assert.True(entries[3].IsCharDevice);
        Assert.Equal((5u, 1u), (entries[3].RdevMajor, entries[3].RdevMinor));
        Assert.Equal("abc", entries[4].Text);
    }

    [Fact]
    public void Initramfs_builder_adds_parents_first_and_keys_by_content()
    {
        var a = new InitramfsBuilder().AddText("/etc/deep/file", "x").AddScript("/init", "#!/bin/sh\n");
        var b = new InitramfsBuilder().AddText("/etc/deep/file", "x").AddScript("/init", "#!/bin/sh\n");
        var c = new InitramfsBuilder().AddText("/etc/deep/file", "y").AddScript("/init", "#!/bin/sh\n");
        Assert.Equal(a.ComputeKey(), b.ComputeKey());
        Assert.NotEqual(a.ComputeKey(), c.ComputeKey());

        using var ms = new MemoryStream();
        a.WriteTo(ms);
        var names = CpioReader.Read(ms.ToArray()).Select(e => e.Name).ToList();
        Assert.Equal(["etc", "etc/deep", "etc/deep/file", "init"], names);
    }

    [Fact]
    public void Initramfs_builder_caches_by_key()
    {
        string cache = Path.Combine(Path.GetTempPath(), "emu-lab-unit-" + Guid.NewGuid().ToString("N"));
        try
        {
            var b = new InitramfsBuilder().AddText("/a", "1");
            string first = b.BuildCached(cache, "t");
            DateTime written = File.GetLastWriteTimeUtc(first);
            string again = new InitramfsBuilder().AddText("/a", "1").BuildCached(cache, "t");
            string other = new InitramfsBuilder().AddText("/a", "2").BuildCached(cache, "t");
            Assert.Equal(first, again);
            Assert.NotEqual(first, other);
            Assert.True(File.GetLastWriteTimeUtc(again) >= written);
            Assert.Equal(2, Directory.GetFiles(Path.Combine(cache, "initramfs")).Length);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void Kernel_versions_sort_numerically()
    {
        var v = new List<string> { "6.12.38+deb12-amd64", "6.1.0-56-amd64", "6.1.0-9-amd64", "5.10.0-30-amd64" };
        v.Sort(VersionComparer.Instance);
        Assert.Equal(["5.10.0-30-amd64", "6.1.0-9-amd64", "6.1.0-56-amd64", "6.12.38+deb12-amd64"], v);
    }

    [Fact]
    public void Shell_quoting_survives_sh()
    {
        Assert.Equal("plain/path-1.0", ShellQuote.Quote("plain/path-1.0"));
        Assert.Equal("'a b'", ShellQuote.Quote("a b"));
        Assert.Equal("'it'\\''s'", ShellQuote.Quote("it's"));
        Assert.Equal("''", ShellQuote.Quote(""));
        Assert.Equal("-append 'console=ttyS0 quiet'", ShellQuote.Join(["-append", "console=ttyS0 quiet"]));
        Assert.True(ShellQuote.IsPlainPath("/var/tmp/emu-lab/runs/20250101-000000-abcd"));
        Assert.False(ShellQuote.IsPlainPath("/tmp/a b"));
        Assert.False(ShellQuote.IsPlainPath("/tmp/a,b"));
        Assert.False(ShellQuote.IsPlainPath("relative"));
    }

    [Fact]
    public void Level3_output_is_recovered_from_a_noisy_console()
    {
        string console = new StringBuilder()
            .Append("\u001bc\u001b[?7lSeaBIOS (version 1.16.2)\r\n")
            .Append("@L3-WARN@ modprobe nvme failed\r\n")
            .Append("@L3-BEGIN@\r\n")
            .Append("@L3@ 1\r\n")
            .Append("[    4.1] random: crng init done\r\n")
            .Append("[    4.2] something@L3@ console=ttyS0 panic=-1 quiet\r\n")
            .Append("@L3@ \r\n")
            .Append("@L3-END@ rc=3\r\n")
            .Append("[    4.7] reboot: Power down\r\n")
            .ToString();
        var o = Level3Output.Parse(console);
        Assert.True(o.Began);
        Assert.Equal(3, o.ExitCode);
        Assert.Equal(["1", "console=ttyS0 panic=-1 quiet", ""], o.Lines);
        Assert.Equal(["modprobe nvme failed"], o.Warnings);

        var crashed = Level3Output.Parse("@L3-BEGIN@\n@L3@ partial\nKernel panic - not syncing\n");
        Assert.False(crashed.Completed);
        Assert.Equal(["partial"], crashed.Lines);
    }

    [Fact]
    public void Text_lines_drop_carriage_returns_and_the_final_newline()
    {
        Assert.Equal(["a", "b", ""], TextLines.Split("a\r\nb\r\n\r\n"));
        Assert.Equal(["a"], TextLines.Split("a"));
        Assert.Equal("c\nd", TextLines.Tail("a\nb\nc\nd\n", 2));
    }

    // What the detection found is really there; CI (whose scripts install the lab) must have it all.
    [Fact]
    public void Environment_detection_finds_the_lab_or_names_what_is_missing()
    {
        var env = LabEnvironment.Detect();
        if (LabEnvironment.IsCi)
            Assert.True(env.CanRunLevel2, env.MissingReason);
        if (!env.CanRunLevel2)
        {
            Assert.StartsWith("nested lab unavailable: ", env.MissingReason);
            return;
        }
        Assert.True(File.Exists(env.QemuPath), env.QemuPath);
        Assert.True(File.Exists(env.KernelPath), env.KernelPath);
        Assert.True(File.Exists(Path.Combine(env.ModulesDirectory!, "modules.dep")), env.ModulesDirectory);
        Assert.True(File.Exists(env.BusyboxPath), env.BusyboxPath);
        Assert.True(File.Exists(env.ModprobePath), env.ModprobePath);
        Assert.True(Directory.Exists(env.CacheDirectory), env.CacheDirectory);
    }

    [Theory]
    [InlineData("EMU_LAB_QEMU", "/nonexistent/qemu-system-x86_64", "qemu-system-x86_64 not found")]
    [InlineData("EMU_LAB_KERNEL_VERSION", "0.0-none", "EMU_LAB_KERNEL_VERSION=0.0-none but /boot/vmlinuz-0.0-none")]
    [InlineData("EMU_LAB_CACHE", "/var/tmp/a dir", "cache directory '/var/tmp/a dir' must be an absolute path")]
    public void Environment_detection_names_a_missing_part(string variable, string value, string expected)
    {
        var env = LabEnvironment.Detect(name => name == variable ? value : null);
        Assert.False(env.CanRunLevel2);
        Assert.StartsWith("nested lab unavailable: ", env.MissingReason);
        Assert.Contains(expected, env.MissingReason);
    }

    [Fact]
    public void The_qmp_console_client_is_a_perl_program_perl_accepts_and_refuses_quotes()
    {
        string command = new QmpConsoleClient(consoleWaitSeconds: 60)
            .WaitForConsole("ready")
            .Execute("""{"execute":"device_add","arguments":{"driver":"vfio-pci","host":"$args[0]"}}""")
            .WaitForEvent("DEVICE_DELETED")
            .Command("\"$sock\"", "\"$console\"", "\"$nvme\"");
        Assert.StartsWith("perl ", command);
        Assert.Contains("for (1 .. 120)", command);
        // perl -c compiles the program without running it, through the same shell quoting.
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("perl -c " + command["perl ".Length..]);
        using var perl = System.Diagnostics.Process.Start(psi)!;
        string output = perl.StandardOutput.ReadToEnd() + perl.StandardError.ReadToEnd();
        perl.WaitForExit();
        Assert.True(perl.ExitCode == 0, output);
        Assert.Contains("syntax OK", output);
        Assert.Throws<ArgumentException>(() => new QmpConsoleClient(60).WaitForConsole("it's"));
    }

    static LabRunException Failed(bool timedOut, bool stalled, string console) => new("level 2 failed", new Level2Result
    {
        Jobs = [],
        Console = console,
        QemuStderr = "",
        ConsoleLogPath = "/dev/null",
        RunDirectory = "/nonexistent",
        TimedOut = timedOut || stalled,
        Stalled = stalled,
    });

    [Theory]
    [InlineData(true, false, "")] // the harness's timeout
    [InlineData(false, true, "")] // the stall check
    [InlineData(false, false, "[ 12.3] Kernel panic - not syncing: Fatal exception\n")]
    public async Task A_level_2_crash_or_hang_is_booted_once_more_and_logged(bool timedOut, bool stalled, string console)
    {
        var log = new List<string>();
        int boots = 0;
        string result = await Level2Retry.RunAsync(() => ++boots == 1 ? throw Failed(timedOut, stalled, console) : Task.FromResult("second"), log.Add);
        Assert.Equal("second", result);
        Assert.Equal(2, boots);
        Assert.Contains("LEVEL 2 CRASHED", Assert.Single(log));
    }

    // A level 2 that fails every boot: a crash is booted once more (and logged), then its
    // second failure is reported; a failure that is not a crash is reported at once.
    [Theory]
    [InlineData(true, "", 2)] // timed out twice
    [InlineData(false, "init: job list missing\n", 1)] // ended without crashing
    public async Task A_level_2_that_keeps_failing_fails_after_the_boots_it_is_owed(bool timedOut, string console, int expectedBoots)
    {
        int boots = 0;
        var log = new List<string>();
        await Assert.ThrowsAsync<LabRunException>(() => Level2Retry.RunAsync<string>(() => { boots++; throw Failed(timedOut, false, console); }, log.Add));
        Assert.Equal(expectedBoots, boots);
        Assert.Equal(expectedBoots - 1, log.Count);
    }

    // Level 2's init dumps a quiet job's threads at half the stall check's time, so the dump
    // is written (and the run directory changes) before the stall check kills level 2.
    [Theory]
    [InlineData(300, 150)]
    [InlineData(30, 15)]
    [InlineData(12, 10)] // never below 10 s
    [InlineData(0, 0)] // no stall check, no dump
    public void The_hang_dump_comes_at_half_the_stall_timeout(int stallSeconds, int dumpSeconds)
    {
        var options = new Level2Options { StallTimeout = TimeSpan.FromSeconds(stallSeconds) };
        Assert.Equal(TimeSpan.FromSeconds(dumpSeconds), options.HangDumpAfter);
    }

    [Fact]
    public async Task A_stalled_level_2_s_hang_dump_is_in_the_retry_log()
    {
        var log = new List<string>();
        int boots = 0;
        LabRunException stalled = Failed(timedOut: false, stalled: true, console: "");
        var withDump = new LabRunException("stalled", new Level2Result
        {
            Jobs = [], Console = "", QemuStderr = "", ConsoleLogPath = "/dev/null", RunDirectory = "/nonexistent",
            TimedOut = true, Stalled = true, HangDumps = "--- pid 42 ppid 1: emu -machine q35\n  thread 42 'emu' S(sleeping) wchan=kvm_vcpu_ioctl\n",
        });
        await Level2Retry.RunAsync(() => ++boots == 1 ? throw withDump : Task.FromResult(0), log.Add);
        Assert.Contains("wchan=kvm_vcpu_ioctl", Assert.Single(log));
        Assert.Contains("hang dumps:", withDump.Result.Describe());
        Assert.DoesNotContain("hang dumps:", stalled.Result.Describe());
    }

    // The level-2 init is busybox sh: it must at least parse (busybox sh -n) on this machine.
    [Fact]
    public void The_level_2_init_script_parses_in_busybox_sh()
    {
        string busybox = File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        if (!File.Exists(busybox))
        {
            Assert.False(LabEnvironment.IsCi, "busybox is missing (scripts/install-test-deps.sh installs busybox-static)");
            return; // a developer machine without busybox: nothing to parse with
        }
        string path = Path.Combine(Path.GetTempPath(), $"emu-l2-init-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, Level2Initramfs.InitScript);
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(busybox, ["sh", "-n", path]) { RedirectStandardError = true })!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_median_is_the_middle_sample_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(3.0, Statistics.Median([5.0, 1.0, 3.0]));
        Assert.Equal(2.5, Statistics.Median([4.0, 1.0, 3.0, 2.0]));
        Assert.True(double.IsNaN(Statistics.Median([])));
    }
}
