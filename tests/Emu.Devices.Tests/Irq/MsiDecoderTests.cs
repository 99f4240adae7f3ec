using Emu.Core.Interrupts;
using Emu.Devices.Irq;

namespace Emu.Devices.Tests.Irq;

// MSI address and data (Intel SDM vol. 3A, 11.11).
public sealed class MsiDecoderTests
{
    [Theory]
    [InlineData(0xFEE0_1000ul, 0x0000_0041u, ApicDeliveryMode.Fixed, 0x41, 1u, false, false, false)]
    [InlineData(0xFEEF_F00Cul, 0x0000_0130u, ApicDeliveryMode.LowestPriority, 0x30, 0xFFu, true, true, false)]
    [InlineData(0xFEE0_3004ul, 0x0000_C462u, ApicDeliveryMode.Nmi, 0x62, 3u, true, false, true)]
    [InlineData(0xFEE0_2000ul, 0x0000_0200u, ApicDeliveryMode.Smi, 0x00, 2u, false, false, false)]
    [InlineData(0xFEE0_2000ul, 0x0000_0700u, ApicDeliveryMode.ExtInt, 0x00, 2u, false, false, false)]
    public void DecodesAddressAndData(ulong address, uint data, ApicDeliveryMode mode, byte vector, uint destination, bool logical, bool hint, bool level)
    {
        Assert.True(MsiDecoder.TryDecode(new MsiMessage(address, data), out ApicMessage m));
        Assert.Equal(mode, m.DeliveryMode);
        Assert.Equal(vector, m.Vector);
        Assert.Equal(destination, m.Destination);
        Assert.Equal(logical, m.LogicalDestination);
        Assert.Equal(hint, m.RedirectionHint);
        Assert.Equal(level, m.LevelTriggered);
        Assert.False(m.X2ApicFormat);
        Assert.True(m.Assert);
    }

    [Theory]
    [InlineData(0xFED0_0000ul, 0x41u)] // not the APIC window
    [InlineData(0x1_FEE0_0000ul, 0x41u)] // above 4 GiB (no interrupt remapping)
    [InlineData(0xFEE0_0000ul, 0x341u)] // reserved delivery mode 3
    [InlineData(0xFEE0_0000ul, 0x641u)] // Startup is not an MSI
    public void RejectsWritesThatAreNotInterrupts(ulong address, uint data)
    {
        Assert.False(MsiDecoder.TryDecode(new MsiMessage(address, data), out _));
    }

    [Fact]
    public void RedirectionHintMakesFixedALowestPriorityDelivery()
    {
        Assert.True(MsiDecoder.TryDecode(MsiDecoder.Encode(0x0F, 0x40, logical: true, redirectionHint: true), out ApicMessage m));
        Assert.True(m.ToOneTarget);
        Assert.True(MsiDecoder.TryDecode(MsiDecoder.Encode(0x0F, 0x40, logical: true), out m));
        Assert.False(m.ToOneTarget);
    }

    [Fact]
    public void ALevelDeassertMessageIsNotDelivered()
    {
        using var rig = new IrqRig(cpus: 1);
        rig.EnableAllApics();
        Assert.False(rig.Controller.Bus.DeliverMsi(new MsiMessage(0xFEE0_0000, 0x8041))); // level, de-assert
        Assert.False(rig.Apics[0].HasPendingInterrupt);
        Assert.True(rig.Controller.Bus.DeliverMsi(new MsiMessage(0xFEE0_0000, 0xC041)));
        Assert.True(rig.Apics[0].HasPendingInterrupt);
    }
}
