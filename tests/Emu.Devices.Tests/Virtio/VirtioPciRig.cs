using System.Buffers.Binary;
using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Devices.Block;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Fakes;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;

namespace Emu.Devices.Tests.Virtio;

/// <summary>
/// A virtio-blk-pci function in a q35 machine without a CPU, driven the way a
/// driver drives it: config cycles on the bus, accesses to BAR 4, and the
/// VIRTIO_PCI_CAP_PCI_CFG window. Any thread may act as a vCPU.
/// </summary>
internal sealed class VirtioPciRig : IDisposable
{
    public const int Common = 0x0000, Isr = 0x1000, DeviceCfg = 0x2000, Notify = 0x3000;
    public const int DeviceStatusRegister = Common + 0x14;

    public VirtioPciRig(IBlockBackend disk, string? id = null)
    {
        var registry = DeviceCatalog.CreateRegistry();
        Machine = (Q35Machine)registry.Find("q35")!.CreateInstance();
        Machine.RamSize = 64UL << 20;
        Machine.Initialize(Accelerator);
        Machine.RegisterBackend("d0", new BlockDrive("d0", disk, "test disk"));
        Device = (VirtioBlkPci)VirtioBlkPci.TypeInfo.CreateInstance();
        Device.SetText("drive", "d0");
        Device.Id = id;
        Machine.AddDevice(Device);
        DevFn = Device.Address.DevFn;
        Cfg(PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandBusMaster);
        Bar = Device.Bars[VirtioPciDevice.RegisterBar]!.MappedAddress!.Value;
        for (int p = (int)Cfg(PciRegisters.CapabilitiesPointer, 1); p != 0; p = (int)Cfg(p + 1, 1))
        {
            if (Cfg(p, 1) == PciCapabilityId.VendorSpecific && Cfg(p + 3, 1) == VirtioPciCapType.PciConfig)
                PciCfgCap = p;
        }
    }

    public FakeAccelerator Accelerator { get; } = new();

    public Q35Machine Machine { get; }

    public VirtioBlkPci Device { get; }

    public ulong Bar { get; }

    public int DevFn { get; }

    /// <summary>Offset of the VIRTIO_PCI_CAP_PCI_CFG capability in config space.</summary>
    public int PciCfgCap { get; }

    public void Dispose() => Machine.Dispose();

    public uint Cfg(int offset, int length) => Machine.PciBus.ReadConfig(0, DevFn, offset, length);

    public void Cfg(int offset, int length, uint value) => Machine.PciBus.WriteConfig(0, DevFn, offset, length, value);

    public ulong Read(int offset, int size)
    {
        Span<byte> b = stackalloc byte[8];
        Machine.SystemMemory.Read(Bar + (ulong)offset, b.Slice(0, size));
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void Write(int offset, int size, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Machine.SystemMemory.Write(Bar + (ulong)offset, b.Slice(0, size));
    }

    /// <summary>Writes a register of BAR 4 through the PCI configuration access capability (4.1.4.9).</summary>
    public void WriteThroughWindow(int offset, int size, uint value)
    {
        Cfg(PciCfgCap + 4, 1, VirtioPciDevice.RegisterBar);
        Cfg(PciCfgCap + 8, 4, (uint)offset);
        Cfg(PciCfgCap + 12, 4, (uint)size);
        Cfg(PciCfgCap + 16, 4, value);
    }

    /// <summary>Reads a register of BAR 4 through the PCI configuration access capability.</summary>
    public uint ReadThroughWindow(int offset, int size)
    {
        Cfg(PciCfgCap + 4, 1, VirtioPciDevice.RegisterBar);
        Cfg(PciCfgCap + 8, 4, (uint)offset);
        Cfg(PciCfgCap + 12, 4, (uint)size);
        uint value = Cfg(PciCfgCap + 16, 4);
        return size == 4 ? value : value & ((1u << (8 * size)) - 1);
    }

    public byte DeviceStatus => (byte)Read(DeviceStatusRegister, 1);

    /// <summary>3.1.1 up to FEATURES_OK; true when the device accepted the features.</summary>
    public bool Negotiate(ulong features)
    {
        Write(DeviceStatusRegister, 1, 0);
        Write(DeviceStatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver);
        Write(Common + 0x08, 4, 0);
        Write(Common + 0x0C, 4, (uint)features);
        Write(Common + 0x08, 4, 1);
        Write(Common + 0x0C, 4, (uint)(features >> 32));
        Write(DeviceStatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk);
        return (DeviceStatus & VirtioStatus.FeaturesOk) != 0;
    }

    /// <summary>Queue 0 at 1 MiB, with <paramref name="vector"/> (NO_VECTOR: INTx when MSI-X is off).</summary>
    public QueueDriver SetUpQueue(ushort size, ushort vector)
    {
        var driver = new QueueDriver(Machine.Ram, 0x100000, size);
        Write(Common + 0x16, 2, 0);
        Write(Common + 0x18, 2, size);
        Write(Common + 0x20, 8, driver.Base);
        Write(Common + 0x28, 8, driver.Avail);
        Write(Common + 0x30, 8, driver.Used);
        Write(Common + 0x1A, 2, vector);
        Write(Common + 0x1C, 2, 1);
        return driver;
    }

    /// <summary>Negotiates VERSION_1, sets up queue 0 for INTx and sets DRIVER_OK.</summary>
    public QueueDriver Activate(ushort queueSize = 16)
    {
        if (!Negotiate(VirtioFeatures.Version1))
            throw new InvalidOperationException("the device refused VERSION_1");
        QueueDriver q = SetUpQueue(queueSize, VirtioPciDevice.NoVector);
        Write(DeviceStatusRegister, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);
        return q;
    }

    /// <summary>Makes a FLUSH request available in slot <paramref name="slot"/> (header at 2 MiB + 32 x slot, status after it) and notifies.</summary>
    public void SubmitFlush(QueueDriver q, int slot)
    {
        ulong header = 0x200000 + 32UL * (ulong)slot;
        Machine.Ram.Write(new GuestAddress(header), (ulong)VirtioBlk.TypeFlush);
        Machine.Ram.Write(new GuestAddress(header + 8), 0UL);
        q.SetDescriptor(2 * slot, header, 16, VirtqDescriptor.FlagNext, (ushort)(2 * slot + 1));
        q.SetDescriptor(2 * slot + 1, header + 16, 1, VirtqDescriptor.FlagWrite);
        q.Publish((ushort)(2 * slot));
        Write(Notify, 2, 0);
    }

    public static void WaitFor(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var wait = new SpinWait();
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"never happened: {what}");
            wait.SpinOnce();
        }
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own (a vCPU of the test).</summary>
    public static Thread Start(string name, Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    /// <summary>Waits until <paramref name="thread"/> blocks (in a join, a lock or a wait).</summary>
    public static void WaitUntilBlocked(Thread thread) =>
        WaitFor(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0 || !thread.IsAlive, $"{thread.Name} blocks");
}
