using Emu.Core.Machines;
using Emu.Core.Pci;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Core.Tests.Machines;

/// <summary>A started <see cref="GraceBoard"/> with two scripted vCPUs, and the events it raised.</summary>
internal sealed class MachineRig : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<MachineEvent> _events = new();
    private readonly List<ProbePciDevice> _probes = new();

    public MachineRig(int cpus = 2)
    {
        Machine = (GraceBoard)GraceBoard.TypeInfo.CreateInstance();
        Machine.CpuCount = cpus;
        Machine.Initialize(Accelerator, NullLoggerFactory.Instance);
        Machine.Controller.Event += e =>
        {
            lock (_events)
                _events.Add(e);
        };
        Machine.Start();
    }

    public ScriptedAccelerator Accelerator { get; } = new();

    public GraceBoard Machine { get; }

    public ScriptedVcpu Vcpu(int index) => Accelerator.Vcpus[index];

    public MachineEvent[] Events
    {
        get
        {
            lock (_events)
                return _events.ToArray();
        }
    }

    public ProbePciDevice Plug(string id, Action<ProbePciDevice>? setUp = null)
    {
        var device = (ProbePciDevice)ProbePciDevice.TypeInfo.CreateInstance();
        device.Id = id;
        setUp?.Invoke(device);
        _probes.Add(device);
        Machine.HotplugDevice(device);
        device.EnableDecoding(PciRegisters.CommandMemory);
        return device;
    }

    public static ulong BarOf(ProbePciDevice device) => device.Bars[0]!.MappedAddress!.Value;

    /// <summary>Waits until <paramref name="device"/> has left the bus: its removal has begun.</summary>
    public void WaitUntilOffTheBus(ProbePciDevice device)
    {
        PciBus bus = Machine.DevicesOf<TestHostBridge>().Single().PciBus;
        int devfn = device.Address.DevFn;
        WaitFor(() => !ReferenceEquals(bus.Find(devfn), device), "the device leaves the bus");
    }

    public int Deleted(string id) => Events.Count(e => e.Kind == MachineEventKind.DeviceDeleted && e.DeviceId == id);

    public void WaitUntilDeleted(string id) => WaitFor(() => Deleted(id) > 0, $"DEVICE_DELETED for {id}");

    public static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"never happened: {what}");
            Thread.Sleep(1);
        }
    }

    /// <summary>Checks that <paramref name="condition"/> stays false for a while.</summary>
    public static void Never(Func<bool> condition, string what, int milliseconds = 300)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(condition(), what);
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        // A test that failed may have left a vCPU or the removal waiting at a gate.
        foreach (ProbePciDevice probe in _probes)
        {
            probe.AccessGate.Set();
            probe.UnrealizeGate.Set();
        }
        Machine.RequestShutdown(new MachineExit(ShutdownCause.HostQmpQuit, 0)).Wait(Timeout);
        Machine.Controller.Completion.Wait(Timeout);
        Machine.Dispose();
    }
}
