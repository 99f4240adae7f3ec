using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Core.Tests.Memory;

namespace Emu.Core.Tests.Pci;

public sealed class PciConfigTests
{
    private readonly MemoryTopology _topology = new();
    private readonly AddressSpace _memory;
    private readonly AddressSpace _io;
    private readonly PciBus _bus;
    private readonly TestPciDevice _device = (TestPciDevice)TestPciDevice.TypeInfo.CreateInstance();

    public PciConfigTests()
    {
        var memRoot = MemoryRegion.CreateContainer("memory", ulong.MaxValue);
        var ioRoot = MemoryRegion.CreateContainer("io", 0x10000);
        _memory = _topology.CreateAddressSpace("memory", memRoot);
        _io = _topology.CreateAddressSpace("io", ioRoot);
        var pciMem = MemoryRegion.CreateContainer("pci-memory", ulong.MaxValue);
        var pciIo = MemoryRegion.CreateContainer("pci-io", 0x10000);
        memRoot.AddSubregion(pciMem, 0, -1);
        ioRoot.AddSubregion(pciIo, 0, -1);
        _bus = new PciBus(_topology, pciMem, pciIo, new PciWindow(0xC000_0000, 0x1000_0000), new PciWindow(0x10_0000_0000, 0x10_0000_0000), new PciWindow(0xC000, 0x4000));
        _bus.Plug(_device, 3 << 3);
        _device.Plug(_bus, 3 << 3);
        ioRoot.AddSubregion(MemoryRegion.CreateIo("pci-conf", 8, new PciConfigIoHandler(_bus)), 0xCF8);
        memRoot.AddSubregion(MemoryRegion.CreateIo("ecam", 0x1000_0000, new PciEcamHandler(_bus)), 0xB000_0000);
    }

    private uint CfgRead(int devfn, int register, int size)
    {
        byte[] address = BitConverter.GetBytes(0x8000_0000u | (uint)(devfn << 8) | (uint)(register & 0xFC));
        _io.Write(0xCF8, address);
        byte[] data = new byte[size];
        _io.Read(0xCFC + (ulong)(register & 3), data);
        uint v = 0;
        for (int i = 0; i < size; i++)
            v |= (uint)data[i] << (8 * i);
        return v;
    }

    private void CfgWrite(int devfn, int register, int size, uint value)
    {
        _io.Write(0xCF8, BitConverter.GetBytes(0x8000_0000u | (uint)(devfn << 8) | (uint)(register & 0xFC)));
        _io.Write(0xCFC + (ulong)(register & 3), BitConverter.GetBytes(value).AsSpan(0, size));
    }

    [Fact]
    public void IdentityIsReadThroughMechanismOneAndEcam()
    {
        Assert.Equal(0x5678_1234u, CfgRead(3 << 3, 0, 4));
        Assert.Equal(0x5678u, CfgRead(3 << 3, 2, 2));
        byte[] data = new byte[4];
        _memory.Read(0xB000_0000 + (3UL << 15), data);
        Assert.Equal(0x5678_1234u, BitConverter.ToUInt32(data));
    }

    [Fact]
    public void AbsentFunctionsReadAllOnes()
    {
        Assert.Equal(0xFFFF_FFFFu, CfgRead(5 << 3, 0, 4));
        Assert.Equal(0xFFFFu, CfgRead(3 << 3 | 1, 0, 2));
    }

    [Fact]
    public void ReadOnlyRegistersIgnoreWrites()
    {
        CfgWrite(3 << 3, 0, 4, 0xDEAD_BEEF);
        Assert.Equal(0x5678_1234u, CfgRead(3 << 3, 0, 4));
        CfgWrite(3 << 3, PciRegisters.ClassProg, 1, 0xFF);
        Assert.Equal(0u, CfgRead(3 << 3, PciRegisters.ClassProg, 1));
    }

    [Fact]
    public void BarSizingReturnsTheSizeMaskAndTypeBits()
    {
        CfgWrite(3 << 3, 0x10, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_F000u, CfgRead(3 << 3, 0x10, 4));
        CfgWrite(3 << 3, 0x18, 4, 0xFFFF_FFFF);
        CfgWrite(3 << 3, 0x1C, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFF0_000Cu, CfgRead(3 << 3, 0x18, 4)); // 64-bit prefetchable, 1 MiB
        Assert.Equal(0xFFFF_FFFFu, CfgRead(3 << 3, 0x1C, 4));
        CfgWrite(3 << 3, 0x20, 4, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_FFE1u, CfgRead(3 << 3, 0x20, 4)); // I/O, 32 ports
    }

    [Fact]
    public void BarsAppearOnlyWhileDecodingIsEnabled()
    {
        CfgWrite(3 << 3, 0x10, 4, 0xD000_0000);
        byte[] data = new byte[4];
        _memory.Read(0xD000_0010, data);
        Assert.Equal(0xFFFF_FFFFu, BitConverter.ToUInt32(data));

        CfgWrite(3 << 3, PciRegisters.Command, 2, PciRegisters.CommandMemory);
        _memory.Read(0xD000_0010, data);
        Assert.Equal(0xB0B0_B0B0u, BitConverter.ToUInt32(data));

        // The guest moves the BAR: the old address goes dark, the new one answers.
        CfgWrite(3 << 3, 0x10, 4, 0xD010_0000);
        _memory.Read(0xD000_0010, data);
        Assert.Equal(0xFFFF_FFFFu, BitConverter.ToUInt32(data));
        _memory.Read(0xD010_0010, data);
        Assert.Equal(0xB0B0_B0B0u, BitConverter.ToUInt32(data));
        Assert.Equal(0xD010_0000UL, _device.Bars[0]!.MappedAddress);
    }

    [Fact]
    public void ASizingProbeIsNotMapped()
    {
        CfgWrite(3 << 3, PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandIo);
        CfgWrite(3 << 3, 0x10, 4, 0xFFFF_FFFF);
        CfgWrite(3 << 3, 0x20, 4, 0xFFFF_FFFF);
        Assert.Null(_device.Bars[0]!.MappedAddress);
        Assert.Null(_device.Bars[4]!.MappedAddress);
    }

    [Fact]
    public void SixtyFourBitBarsTakeBothDwords()
    {
        CfgWrite(3 << 3, 0x18, 4, 0x0000_0000);
        CfgWrite(3 << 3, 0x1C, 4, 0x0000_0010);
        CfgWrite(3 << 3, PciRegisters.Command, 2, PciRegisters.CommandMemory);
        Assert.Equal(0x10_0000_0000UL, _device.Bars[2]!.MappedAddress);
        byte[] data = new byte[1];
        _memory.Read(0x10_0000_0123, data);
        Assert.Equal(0xB2, data[0]);
    }

    [Fact]
    public void TheVmmPlacesBarsInItsWindowsNaturallyAligned()
    {
        _bus.PlaceBars(_device);
        Assert.Equal(0u, _device.DecodedBarAddress(0) ?? 0); // placed, but decoding is off
        _device.EnableDecoding(PciRegisters.CommandMemory | PciRegisters.CommandIo);
        ulong bar0 = _device.DecodedBarAddress(0)!.Value, bar2 = _device.DecodedBarAddress(2)!.Value, bar4 = _device.DecodedBarAddress(4)!.Value;
        Assert.InRange(bar0, 0xC000_0000UL, 0xCFFF_FFFFUL);
        Assert.Equal(0UL, bar0 % 0x1000);
        Assert.InRange(bar2, 0xC000_0000UL, 0xCFFF_FFFFUL); // small 64-bit BARs stay below 4 GiB
        Assert.Equal(0UL, bar2 % 0x10_0000);
        Assert.InRange(bar4, 0xC000UL, 0xFFFFUL);
        Assert.Equal(0UL, bar4 % 0x20);
        Assert.True(bar0 + 0x1000 <= bar2 || bar2 + 0x10_0000 <= bar0);
    }

    [Fact]
    public void CapabilitiesAreChainedFromThePointer()
    {
        Assert.NotEqual(0u, CfgRead(3 << 3, PciRegisters.Status, 2) & PciRegisters.StatusCapabilities);
        int first = (int)CfgRead(3 << 3, PciRegisters.CapabilitiesPointer, 1);
        Assert.Equal(_device.FirstCapability, first);
        Assert.Equal(PciCapabilityId.VendorSpecific, (byte)CfgRead(3 << 3, first, 1));
        int second = (int)CfgRead(3 << 3, first + 1, 1);
        Assert.Equal(_device.SecondCapability, second);
        Assert.Equal(0u, CfgRead(3 << 3, second + 1, 1));
    }

    [Fact]
    public void StatusErrorBitsAreWriteOneToClear()
    {
        _device.Config.SetWord(PciRegisters.Status, (ushort)(_device.Config.GetWord(PciRegisters.Status) | 0x8000));
        CfgWrite(3 << 3, PciRegisters.Status, 2, 0x8000);
        Assert.Equal(0u, CfgRead(3 << 3, PciRegisters.Status, 2) & 0x8000);
        Assert.NotEqual(0u, CfgRead(3 << 3, PciRegisters.Status, 2) & PciRegisters.StatusCapabilities);
    }

    [Fact]
    public void MisalignedEcamAccessesAreIgnored()
    {
        byte[] data = new byte[4];
        _memory.Read(0xB000_0000 + (3UL << 15) + 1, data);
        Assert.Equal(0xFFFF_FFFFu, BitConverter.ToUInt32(data));
    }

    [Theory]
    [InlineData("0000:01:00.0", 0, 1, 0, 0)]
    [InlineData("01:1f.7", 0, 1, 0x1F, 7)]
    [InlineData("04.0", 0, 0, 4, 0)]
    [InlineData("1f", 0, 0, 0x1F, 0)]
    public void PciAddressesParse(string text, int domain, int bus, int device, int function)
    {
        Assert.True(PciAddress.TryParse(text, out PciAddress a));
        Assert.Equal(new PciAddress(domain, bus, device, function), a);
    }

    [Theory]
    [InlineData("0000:01:20.0")]
    [InlineData("01:00.8")]
    [InlineData("zz:00.0")]
    [InlineData("0000:01:00")]
    [InlineData("")]
    public void BadPciAddressesAreRefused(string text) => Assert.False(PciAddress.TryParse(text, out _));
}
