using System.Net.Sockets;
using Emu.Accel.Kvm;
using Emu.Accel.Tcg;
using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;
using Emu.Host.CommandLine;
using Emu.Host.Composition;
using Emu.Host.Hosting;
using Emu.Host.Logging;
using Emu.Host.Qmp;
using Microsoft.Extensions.Logging;

namespace Emu.Host;

public static class Program
{
    public static int Main(string[] args)
    {
        var loggers = new DeferredLoggerFactory(LogLevel.Warning, () => LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)));
        try
        {
            return Run(args, Console.Out, Console.Error, loggers, startGuest: true);
        }
        finally
        {
            loggers.Dispose();
        }
    }

    /// <summary>
    /// emu's whole start-up, then the run. With <paramref name="startGuest"/>
    /// false it stops where the guest would start and tears the machine down
    /// again: the command line has then been checked as far as it can be
    /// without running guest code (the in-process command-line fuzz target
    /// uses that). A mistake is one line "emu: ..." on <paramref name="stderr"/>
    /// and status 1.
    /// </summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, ILoggerFactory loggers, bool startGuest)
    {
        try
        {
            EmuOptions options = CommandLineParser.Parse(args);
            if (options.ShowHelp)
            {
                stdout.Write(UsageText.Text);
                return 0;
            }
            if (options.ShowVersion)
            {
                stdout.WriteLine($"emu version {typeof(Program).Assembly.GetName().Version?.ToString(3)}");
                return 0;
            }
            if (VmLauncher.MayUseSoftwareCpu(options))
                TcgAccelerator.PrewarmInBackground();
            TypeRegistry registry = HostCatalog.CreateRegistry();
            KconfigCatalog catalog = HostCatalog.CreateCatalog(registry);
            if (HelpCommands.TryHandle(options, registry, catalog, stdout))
                return 0;
            if (!startGuest)
            {
                using QmpListenerSet sockets = QmpListenerSet.Bind(options.Qmp);
                using LaunchedVm launched = VmLauncher.Launch(options, registry, catalog, loggers, stderr);
                return 0;
            }
            // From here on a signal stops the guest in order, even one that comes while emu starts.
            using var signals = new ShutdownSignals();
            using QmpListenerSet qmpSockets = QmpListenerSet.Bind(options.Qmp);
            using LaunchedVm vm = VmLauncher.Launch(options, registry, catalog, loggers, stderr);
            signals.Attach(vm.Machine);
            using var pidFile = PidFile.Create(options.PidFile);
            // QMP serves from here on; with wait=on this returns once a client has connected.
            using QmpRunner qmp = QmpRunner.Start(qmpSockets, vm, loggers);
            // The guest starts now; with -incoming it waits in inmigrate for its state instead.
            if (options.Incoming != null)
                vm.Migration.ConfigureIncoming(options.Incoming);
            vm.Machine.Start(paused: vm.StartPaused, incoming: vm.Migration.IncomingConfigured);
            vm.Migration.StartIncoming();
            return Run(vm, qmp);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            stderr.WriteLine($"emu: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>
    /// An error is one line: control characters a user typed into a value
    /// (a newline in "-m 1G\nfoo") are shown escaped, as C escapes, rather
    /// than breaking the message over lines.
    /// </summary>
    internal static string OneLine(string message)
    {
        if (!message.Any(char.IsControl))
            return message;
        var text = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    /// <summary>
    /// Waits for the machine to end: the guest powers off or crashes, QMP
    /// 'quit', or a signal (<see cref="ShutdownSignals"/>) stops it in order.
    /// The QMP server stops after the machine, so its clients receive SHUTDOWN
    /// before they are closed. The exit status is the machine's.
    /// </summary>
    private static int Run(LaunchedVm vm, QmpRunner qmp)
    {
        MachineExit exit = vm.Machine.Controller.Completion.GetAwaiter().GetResult();
        if (exit.Message != null && exit.Cause != ShutdownCause.DebugExit)
            Console.Error.WriteLine($"emu: {exit.Message}");
        qmp.StopAsync().GetAwaiter().GetResult();
        return exit.ExitCode;
    }

    private static bool IsUserFacing(Exception e) =>
        e is CommandLineException or MachineConfigurationException or PropertyValueException or KvmUnavailableException or KconfigException
            or PosixException or IOException or SocketException or UnauthorizedAccessException;
}
