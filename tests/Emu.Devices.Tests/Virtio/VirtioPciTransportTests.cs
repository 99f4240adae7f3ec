using System.Buffers.Binary;
using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Pci;
using Emu.Devices.Block;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Fakes;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// The virtio-pci transport in a q35 machine (without a CPU): what a driver
// finds in config space and the BARs, feature negotiation, a request served
// by the worker thread with an MSI-X interrupt, and DEVICE_NEEDS_RESET.
public sealed class VirtioPciTransportTests : IDisposable
{
    private const int Common = 0x0000, Isr = 0x1000, DeviceCfg = 0x2000, Notify = 0x3000;
    private readonly FakeAccelerator _accelerator = new();
    private readonly Q35Machine _machine;
    private readonly VirtioBlkPci _device;
    private readonly MemoryBlockBackend _disk = new(1 << 20);
    private readonly ulong _bar;

    public VirtioPciTransportTests()
    {
        var registry = DeviceCatalog.CreateRegistry();
        _machine = (Q35Machine)registry.Find("q35")!.CreateInstance();
        _machine.RamSize = 64UL << 20;
        _machine.Initialize(_accelerator);
        _machine.RegisterBackend("d0", new BlockDrive("d0", _disk, "memory"));
        _device = (VirtioBlkPci)VirtioBlkPci.TypeInfo.CreateInstance();
        _device.SetText("drive", "d0");
        _machine.AddDevice(_device);
        Cfg(PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandBusMaster);
        _bar = _device.Bars[VirtioPciDevice.RegisterBar]!.MappedAddress!.Value;
    }

    public void Dispose()
    {
        _machine.Dispose();
        _disk.Dispose();
    }

    private uint Cfg(int offset, int length) => _machine.PciBus.ReadConfig(0, _device.Address.DevFn, offset, length);

    private void Cfg(int offset, int length, uint value) => _machine.PciBus.WriteConfig(0, _device.Address.DevFn, offset, length, value);

    private ulong Read(int offset, int size)
    {
        Span<byte> b = stackalloc byte[8];
        _machine.SystemMemory.Read(_bar + (ulong)offset, b.Slice(0, size));
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    private void Write(int offset, int size, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _machine.SystemMemory.Write(_bar + (ulong)offset, b.Slice(0, size));
    }

    private byte DeviceStatus => (byte)Read(Common + 0x14, 1);

    private List<(byte Type, byte Bar, uint Offset)> VirtioCapabilities()
    {
        var caps = new List<(byte, byte, uint)>();
        for (int p = (int)Cfg(PciRegisters.CapabilitiesPointer, 1); p != 0; p = (int)Cfg(p + 1, 1))
        {
            if (Cfg(p, 1) == PciCapabilityId.VendorSpecific)
                caps.Add(((byte)Cfg(p + 3, 1), (byte)Cfg(p + 4, 1), Cfg(p + 8, 4)));
        }
        return caps;
    }

    // 3.1.1 steps up to FEATURES_OK; returns whether the device accepted the features.
    private bool Negotiate(ulong features)
    {
        Write(Common + 0x14, 1, 0);
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver);
        Write(Common + 0x08, 4, 0);
        Write(Common + 0x0C, 4, (uint)features);
        Write(Common + 0x08, 4, 1);
        Write(Common + 0x0C, 4, (uint)(features >> 32));
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk);
        return (DeviceStatus & VirtioStatus.FeaturesOk) != 0;
    }

    private QueueDriver SetUpQueue(ushort size, ushort vector)
    {
        var driver = new QueueDriver(_machine.Ram, 0x100000, size);
        Write(Common + 0x16, 2, 0);
        Write(Common + 0x18, 2, size);
        Write(Common + 0x20, 4, driver.Base);
        Write(Common + 0x24, 4, 0);
        Write(Common + 0x28, 8, driver.Avail);
        Write(Common + 0x30, 8, driver.Used);
        Write(Common + 0x1A, 2, vector);
        Write(Common + 0x1C, 2, 1);
        return driver;
    }

    private void EnableMsix(ushort configVector)
    {
        Cfg(_device.Msix!.Offset + 2, 2, 0x8000);
        Span<byte> entry = stackalloc byte[16];
        for (int v = 0; v < 2; v++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry, 0xFEE0_0000UL);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.Slice(8), 0x4030u + (uint)v);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.Slice(12), 0);
            _device.Msix.TableHandler.Write((ulong)v * 16, entry.Slice(0, 8));
            _device.Msix.TableHandler.Write((ulong)v * 16 + 8, entry.Slice(8, 4));
            _device.Msix.TableHandler.Write((ulong)v * 16 + 12, entry.Slice(12, 4));
        }
        Write(Common + 0x10, 2, configVector);
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var wait = new SpinWait();
        for (long i = 0; !condition(); i++)
        {
            if (i > 2_000_000)
                Assert.Fail($"never happened: {what}");
            wait.SpinOnce();
        }
    }

    [Fact]
    public void The_function_is_a_modern_virtio_block_device_with_its_capabilities()
    {
        Assert.Equal(0x1042_1AF4u, Cfg(0, 4));
        Assert.Equal(1u, Cfg(PciRegisters.RevisionId, 1));
        Assert.Equal(0x1AF4u, Cfg(PciRegisters.SubsystemVendorId, 2));
        var caps = VirtioCapabilities();
        Assert.Contains(((byte)VirtioPciCapType.CommonConfig, (byte)4, 0x0000u), caps);
        Assert.Contains(((byte)VirtioPciCapType.IsrConfig, (byte)4, 0x1000u), caps);
        Assert.Contains(((byte)VirtioPciCapType.DeviceConfig, (byte)4, 0x2000u), caps);
        Assert.Contains(((byte)VirtioPciCapType.NotifyConfig, (byte)4, 0x3000u), caps);
        Assert.Contains(caps, c => c.Type == VirtioPciCapType.PciConfig);
        Assert.Equal(1u, Cfg(_device.Msix!.Offset + 2, 2) & 0x7FF); // 2 vectors: configuration and the one queue
        Assert.Equal(1UL, Read(Common + 0x12, 2));                 // num_queues
        Assert.Equal(2048UL, Read(DeviceCfg, 8));                  // capacity in sectors
        Assert.Contains(PciListing.Query(_machine.PciBus), f => f.VendorId == 0x1AF4 && f.DeviceId == 0x1042 && f.Description == "Virtio block device");
    }

    [Fact]
    public void Features_must_include_version_1_and_nothing_unoffered()
    {
        Write(Common + 0x00, 4, 1);
        Assert.Equal(1UL, Read(Common + 0x04, 4) & 1);             // VIRTIO_F_VERSION_1 offered (bit 32)
        Assert.False(Negotiate(VirtioFeatures.EventIdx));           // no VERSION_1
        Assert.False(Negotiate(VirtioFeatures.Version1 | (1UL << 40)));
        Assert.True(Negotiate(VirtioFeatures.Version1 | VirtioFeatures.EventIdx));
    }

    [Fact]
    public void A_request_is_served_by_the_worker_and_interrupts_through_msix()
    {
        _disk.Contents(0, 4)[0] = 0xD7;
        Assert.True(Negotiate(VirtioFeatures.Version1 | VirtioFeatures.EventIdx));
        EnableMsix(configVector: 0);
        QueueDriver q = SetUpQueue(16, vector: 1);
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);

        _machine.Ram.Write(new Core.Memory.GuestAddress(0x200000), 0UL);            // IN, sector 0
        _machine.Ram.Write(new Core.Memory.GuestAddress(0x200008), 0UL);
        q.SetDescriptor(0, 0x200000, 16, D.FlagNext, 1);
        q.SetDescriptor(1, 0x201000, 512, D.FlagNext | D.FlagWrite, 2);
        q.SetDescriptor(2, 0x202000, 1, D.FlagWrite);
        q.Publish(0);
        Write(Notify, 2, 0);                                                          // notify queue 0

        WaitFor(() => q.UsedIndex == 1, "the request completes");
        Assert.Equal((0u, 513u), q.TakeUsed());
        Assert.Equal(0xD7, _machine.Ram.Read<byte>(new Core.Memory.GuestAddress(0x201000)));
        Assert.Equal(0, _machine.Ram.Read<byte>(new Core.Memory.GuestAddress(0x202000)));
        WaitFor(() => _accelerator.Interrupts.Messages.Length == 1, "the queue's MSI-X vector fires");
        Assert.Equal(new MsiMessage(0xFEE0_0000, 0x4031), _accelerator.Interrupts.Messages[0]);
        Assert.Equal(0UL, Read(Isr, 1));                                              // MSI-X: no ISR bits
    }

    [Fact]
    public void A_bad_queue_configuration_puts_the_device_in_needs_reset_and_a_reset_clears_it()
    {
        Assert.True(Negotiate(VirtioFeatures.Version1));
        EnableMsix(configVector: 0);
        SetUpQueue(12, vector: 1);                                                    // not a power of two
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);
        Assert.NotEqual(0, DeviceStatus & VirtioStatus.DeviceNeedsReset);
        Assert.Equal([new MsiMessage(0xFEE0_0000, 0x4030)], _accelerator.Interrupts.Messages); // configuration change
        Write(Common + 0x14, 1, 0);
        Assert.Equal(0, DeviceStatus);
        Assert.True(Negotiate(VirtioFeatures.Version1));
    }

    [Fact]
    public void A_hostile_chain_puts_the_running_device_in_needs_reset()
    {
        Assert.True(Negotiate(VirtioFeatures.Version1));
        QueueDriver q = SetUpQueue(16, vector: VirtioPciDevice.NoVector);
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);
        q.SetDescriptor(0, 0x200000, 16, D.FlagNext, 0);                             // a loop
        q.Publish(0);
        Write(Notify, 2, 0);
        WaitFor(() => (DeviceStatus & VirtioStatus.DeviceNeedsReset) != 0, "DEVICE_NEEDS_RESET");
        Assert.Equal(0, q.UsedIndex);
        // Without MSI-X the configuration change shows in the ISR and on INTx.
        Assert.Equal(2UL, Read(Isr, 1));
        Assert.Equal(0UL, Read(Isr, 1));                                              // read clears it
    }

    [Fact]
    public void A_vector_beyond_the_table_reads_back_as_no_vector()
    {
        Write(Common + 0x10, 2, 2);
        Assert.Equal((ulong)VirtioPciDevice.NoVector, Read(Common + 0x10, 2));
        Write(Common + 0x10, 2, 1);
        Assert.Equal(1UL, Read(Common + 0x10, 2));
    }

    [Fact]
    public void Queue_layout_is_fixed_once_the_driver_is_ok()
    {
        Assert.True(Negotiate(VirtioFeatures.Version1));
        SetUpQueue(16, VirtioPciDevice.NoVector);
        Write(Common + 0x14, 1, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);
        Write(Common + 0x20, 8, 0x700000);
        Write(Common + 0x18, 2, 4);
        Assert.Equal(0x100000UL, Read(Common + 0x20, 8));
        Assert.Equal(16UL, Read(Common + 0x18, 2));
    }

    [Fact]
    public void The_pci_configuration_access_capability_reaches_the_common_configuration()
    {
        int cap = 0;
        for (int p = (int)Cfg(PciRegisters.CapabilitiesPointer, 1); p != 0; p = (int)Cfg(p + 1, 1))
        {
            if (Cfg(p, 1) == PciCapabilityId.VendorSpecific && Cfg(p + 3, 1) == VirtioPciCapType.PciConfig)
                cap = p;
        }
        Cfg(cap + 4, 1, 4);        // BAR 4
        Cfg(cap + 8, 4, 0x12);     // num_queues
        Cfg(cap + 12, 4, 2);
        Assert.Equal(1u, Cfg(cap + 16, 4) & 0xFFFF);
    }
}
