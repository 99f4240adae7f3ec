using Emu.Accel.Tcg;
using Emu.Core.Machines;
using Emu.Core.Migration;
using Emu.Core.Objects;
using Emu.Devices;
using Emu.Devices.DebugExit;
using Emu.Devices.Pc;
using Emu.Devices.Serial;

namespace Emu.Devices.Tests.Migration;

/// <summary>
/// A q35 machine of a given version on the software CPU, as the command line
/// would build it for the firmware (a COM1 16550 and isa-debug-exit), with its
/// vCPU threads started and parked: its state can be saved and loaded, and
/// nothing runs. <paramref name="incoming"/> starts it in inmigrate, ready to load.
/// </summary>
internal sealed class Q35TestVm : IDisposable
{
    public const ulong RamSize = 32UL << 20;

    public Q35TestVm(string version = "q35-2.0", bool incoming = false, int cpus = 1, params GlobalProperty[] globals)
        : this(version, incoming, cpus, addDevices: null, globals)
    {
    }

    /// <summary>The same, with <paramref name="addDevices"/> adding more devices before the machine starts.</summary>
    public Q35TestVm(string version, bool incoming, int cpus, Action<Q35Machine>? addDevices, params GlobalProperty[] globals)
    {
        TypeRegistry registry = DeviceCatalog.CreateRegistry();
        Machine = (Q35Machine)registry.Find(version)!.CreateInstance();
        var list = new GlobalPropertyList();
        list.AddRange(Machine.CompatProperties);
        list.AddRange(globals);
        Machine.Globals = list;
        Machine.CpuCount = cpus;
        Machine.RamSize = RamSize;
        ContainerObject.Create().AddChild("machine", Machine); // sections are named by canonical path, as under emu's /machine
        Machine.Initialize(new TcgAccelerator());
        Serial = (IsaSerial)IsaSerial.TypeInfo.CreateInstance();
        Machine.AddDevice(Serial, "serial0");
        var exit = (IsaDebugExit)IsaDebugExit.TypeInfo.CreateInstance();
        exit.SetText("iobase", "0xf4");
        exit.SetText("iosize", "4");
        Machine.AddDevice(exit, "debug-exit");
        addDevices?.Invoke(Machine);
        Machine.Start(paused: true, incoming: incoming);
    }

    public Q35Machine Machine { get; }

    public IsaSerial Serial { get; }

    /// <summary>Stops the PIT's counter 0 (mode 0 without a count: OUT stays low), so no line changes with time.</summary>
    public void StopPitClock() => Machine.UserspaceInterrupts!.Pit.Write(3, [0x30]);

    /// <summary>Turns COM1's FIFOs on (FCR), so that its receive FIFO holds 16 bytes.</summary>
    public void EnableSerialFifo() => Serial.Uart!.Write(2, [0x01]);

    /// <summary>Each section's payload as the machine saves it now.</summary>
    public Dictionary<string, byte[]> SaveSections()
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (MigrationSection section in Machine.MigrationSections())
        {
            var writer = new StateWriter(section.Id);
            section.State.SaveState(writer);
            result.Add(section.Id, writer.Written.ToArray());
        }
        return result;
    }

    /// <summary>A whole snapshot stream of the (stopped) machine, as migrate file: writes it.</summary>
    public byte[] SaveStream()
    {
        var stream = new MemoryStream();
        var migration = new OutgoingMigration(Machine, stream, null, () => new MigrationParameters());
        migration.Start();
        Assert.True(migration.Completion.Wait(TimeSpan.FromSeconds(60)), "the snapshot did not finish");
        Assert.True(migration.Status == MigrationStatus.Completed, migration.Error);
        return stream.ToArray();
    }

    /// <summary>Loads a stream into this (inmigrate) machine; returns the incoming migration for its error.</summary>
    public IncomingMigration LoadStream(byte[] stream)
    {
        var incoming = new IncomingMigration(Machine, new MemoryStream(stream), null, () => false);
        incoming.Run();
        return incoming;
    }

    public void Dispose()
    {
        Machine.RequestShutdown(new MachineExit(ShutdownCause.HostSignal, 0)).Wait(TimeSpan.FromSeconds(10));
        Machine.Controller.Completion.Wait(TimeSpan.FromSeconds(10));
        Machine.Dispose();
    }
}
