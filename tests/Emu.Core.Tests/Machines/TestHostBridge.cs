using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Core.Tests.Machines;

/// <summary>A bus provider for <see cref="GraceBoard"/>: PCI memory BARs go in a window at 3 GiB.</summary>
internal sealed class TestHostBridge : Device, IPciBusProvider
{
    public static new readonly ObjectType TypeInfo = new("test-host-bridge", Device.TypeInfo, t => new TestHostBridge(t), "the test board's PCI bus");

    public TestHostBridge(ObjectType type) : base(type)
    {
    }

    public PciBus PciBus { get; private set; } = null!;

    protected override void OnRealize(Machine machine)
    {
        var memory = MemoryRegion.CreateContainer("pci-memory", ulong.MaxValue);
        var io = MemoryRegion.CreateContainer("pci-io", 0x10000);
        machine.SystemMemory.Root.AddSubregion(memory, 0, -1);
        machine.IoPorts.Root.AddSubregion(io, 0, -1);
        PciBus = new PciBus(machine.Topology, memory, io, new PciWindow(0xC000_0000, 0x1000_0000), null, new PciWindow(0xC000, 0x4000));
    }
}
