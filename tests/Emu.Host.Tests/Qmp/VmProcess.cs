using System.Diagnostics;
using System.Text;
using Emu.Host.Composition;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// emu or QEMU running in the background with a QMP socket in a private
/// directory, for tests that talk to it the way a management tool does.
/// </summary>
internal sealed class VmProcess : IAsyncDisposable
{
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private VmProcess(string directory, Process process, bool ownsDirectory)
    {
        Directory = directory;
        Process = process;
        _ownsDirectory = ownsDirectory;
    }

    private readonly bool _ownsDirectory;

    public string Directory { get; }

    public Process Process { get; }

    public string SocketPath => Path.Combine(Directory, "qmp.sock");

    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    public string Stdout
    {
        get
        {
            lock (_stdout)
                return _stdout.ToString();
        }
    }

    /// <summary>The firmware guest in a mode that keeps it busy: port writes at CPL3 for a long time.</summary>
    public static readonly string[] LongRunningGuest = { "-fw_cfg", "name=opt/emu/mode,string=pio:4000000000" };

    public static string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"emu-qmp-{Guid.NewGuid():N}"[..24]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>emu with "-qmp unix:DIR/qmp.sock,server=on,wait=off" and the given arguments.</summary>
    public static VmProcess StartEmu(params string[] args) => StartEmu(NewDirectory(), ownsDirectory: true, args);

    /// <summary>The same in a directory the test owns (and removes).</summary>
    public static VmProcess StartEmuIn(string directory, params string[] args) => StartEmu(directory, ownsDirectory: false, args);

    /// <summary>emu with wait=on and the serial port in DIR/serial.txt: it starts the guest only once a client connects.</summary>
    public static VmProcess StartEmuWaiting(params string[] args)
    {
        string directory = NewDirectory();
        var all = new List<string> { "-qmp", $"unix:{Path.Combine(directory, "qmp.sock")},server=on,wait=on", "-serial", $"file:{Path.Combine(directory, "serial.txt")}" };
        all.AddRange(args);
        all.AddRange(Emu.Lab.TestAccelerator.ArgumentsFor(all));
        return Start(directory, true, EmuProcess.Executable, all);
    }

    /// <summary>emu with "-qmp unix:DIR/qmp.sock,server=on,wait=off", COM1 in DIR/serial.txt, and the given arguments.</summary>
    public static VmProcess StartEmuWithSerialFile(params string[] args)
    {
        string directory = NewDirectory();
        var all = new List<string> { "-qmp", $"unix:{Path.Combine(directory, "qmp.sock")},server=on,wait=off", "-serial", $"file:{Path.Combine(directory, "serial.txt")}" };
        all.AddRange(args);
        all.AddRange(Emu.Lab.TestAccelerator.ArgumentsFor(all));
        return Start(directory, true, EmuProcess.Executable, all);
    }

    public string SerialOutput => File.Exists(Path.Combine(Directory, "serial.txt")) ? File.ReadAllText(Path.Combine(Directory, "serial.txt")) : "";

    private static VmProcess StartEmu(string directory, bool ownsDirectory, string[] args)
    {
        var all = new List<string> { "-qmp", $"unix:{Path.Combine(directory, "qmp.sock")},server=on,wait=off", "-serial", "null" };
        all.AddRange(args);
        all.AddRange(Emu.Lab.TestAccelerator.ArgumentsFor(all));
        return Start(directory, ownsDirectory, EmuProcess.Executable, all);
    }

    /// <summary>QEMU on KVM with emu's built-in firmware as its BIOS, as shared/LAB.md runs it.</summary>
    public static VmProcess StartQemu(params string[] args)
    {
        string directory = NewDirectory();
        string rom = Path.Combine(directory, "firmware.rom");
        File.WriteAllBytes(rom, BuiltinFirmware.Load());
        var all = new List<string>
        {
            "-accel", "kvm", "-M", "q35", "-bios", rom, "-display", "none", "-nodefaults", "-serial", "null",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-qmp", $"unix:{Path.Combine(directory, "qmp.sock")},server=on,wait=off",
        };
        all.AddRange(args);
        return Start(directory, true, QemuPath, all);
    }

    public const string QemuPath = "/usr/bin/qemu-system-x86_64";

    private static VmProcess Start(string directory, bool ownsDirectory, string executable, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        Process process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {executable}");
        var vm = new VmProcess(directory, process, ownsDirectory);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (vm._stderr)
                vm._stderr.AppendLine(e.Data);
        };
        process.OutputDataReceived += (_, e) =>
        {
            lock (vm._stdout)
                vm._stdout.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return vm;
    }

    /// <summary>Waits until stderr contains <paramref name="text"/> (the logger writes in the background).</summary>
    public async Task<bool> StderrShowsAsync(string text)
    {
        DateTime deadline = DateTime.UtcNow + QmpTestClient.DefaultTimeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(20);
        }
        return true;
    }

    public Task<QmpTestClient> ConnectAsync() => QmpTestClient.ConnectNegotiatedUnixAsync(SocketPath);

    /// <summary>Waits for the process to end; returns its exit status.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        await Process.WaitForExitAsync().WaitAsync(timeout ?? QmpTestClient.DefaultTimeout);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
        if (!_ownsDirectory)
            return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
