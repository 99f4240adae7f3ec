using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Host.Composition;
using Emu.Host.Qmp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>
/// A machine on the fake accelerator with a QMP server on a UNIX socket, in
/// the test process: hotplug and the vCPU work queue can be tested without
/// /dev/kvm, with the test playing the guest.
/// </summary>
internal sealed class InProcessVm : IAsyncDisposable
{
    private const string Catalog = """
        config TEST_BOARD
            type "test-board"
            imply PLUGGABLE
        config PLUGGABLE
            type "test-pluggable"
            depends on TEST_BOARD
        config ELSEWHERE
            type "isa-debug-exit"
            depends on n
        """;

    private readonly string _directory = VmProcess.NewDirectory();
    private readonly QmpListenerSet _listeners;
    private readonly QmpServer _server;

    public InProcessVm(params GlobalProperty[] globals)
        : this(NullLogger.Instance, globals)
    {
    }

    /// <param name="logger">Gets what the QMP server logs.</param>
    public InProcessVm(Microsoft.Extensions.Logging.ILogger logger, params GlobalProperty[] globals)
    {
        var registry = new TypeRegistry();
        registry.Register(ContainerObject.TypeInfo);
        registry.Register(Emu.Core.Machines.Machine.TypeInfo);
        registry.Register(Device.TypeInfo);
        registry.Register(AccelObject.TypeInfo);
        registry.Register(FakeAccelObject.TypeInfo);
        registry.Register(HotplugTestMachine.TypeInfo);
        registry.Register(PluggableDevice.TypeInfo);
        registry.Register(Emu.Devices.DebugExit.IsaDebugExit.TypeInfo);
        registry.Register(VcpuObject.TypeInfo);

        Machine = (HotplugTestMachine)HotplugTestMachine.TypeInfo.CreateInstance();
        var list = new GlobalPropertyList();
        list.AddRange(Machine.CompatProperties);
        list.AddRange(globals);
        var objects = new ObjectFactory(registry, list);
        var accel = (AccelObject)FakeAccelObject.TypeInfo.CreateInstance();
        Accelerator = (FakeAccelerator)accel.Open();
        Machine.Globals = list;
        Machine.CpuCount = 2;
        Machine.Initialize(Accelerator, NullLoggerFactory.Instance);
        var root = ContainerObject.Create();
        root.AddChild("machine", Machine);
        KconfigConfiguration configuration = KconfigCatalog.Parse(Catalog, "test").Resolve(HotplugTestMachine.TypeInfo);
        Vm = new LaunchedVm(Machine, Accelerator, accel, objects, root, configuration, startPaused: false);

        _listeners = QmpListenerSet.Bind(new[] { $"unix:{SocketPath},server=on,wait=off" });
        var context = new QmpContext(Vm, new QmpVersion(0, 1, 0, "emu test"), QmpCommandTable.CreateDefault());
        _server = new QmpServer(_listeners.Listeners, context, logger);
        _server.Start();
        Machine.Start();
    }

    public HotplugTestMachine Machine { get; }

    public FakeAccelerator Accelerator { get; }

    public LaunchedVm Vm { get; }

    public string SocketPath => Path.Combine(_directory, "qmp.sock");

    public Task<QmpTestClient> ConnectAsync() => QmpTestClient.ConnectNegotiatedUnixAsync(SocketPath);

    public async ValueTask DisposeAsync()
    {
        if (!Machine.Controller.Completion.IsCompleted)
            await Machine.RequestShutdown(new MachineExit(ShutdownCause.HostSignal, 0));
        await Machine.Controller.Completion;
        await _server.StopAsync(TimeSpan.FromSeconds(5));
        _listeners.Dispose();
        Vm.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
