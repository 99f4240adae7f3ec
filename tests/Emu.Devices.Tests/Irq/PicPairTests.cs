using Emu.Devices.Irq;
using static Emu.Devices.Tests.Irq.IrqRig;

namespace Emu.Devices.Tests.Irq;

// The 8259A pair against the 8259A and ICH9 datasheets.
public sealed class PicPairTests
{
    private readonly List<int> _acknowledged = new();
    private int _outputChanges;
    private readonly PicPair _pic;

    public PicPairTests()
    {
        _pic = new PicPair(() => _outputChanges++, irq => _acknowledged.Add(irq));
        InitPic(_pic);
    }

    private byte Irr(bool slave = false)
    {
        Out(slave ? _pic.SlavePorts : _pic.MasterPorts, 0, 0x0A); // OCW3: read IRR
        return In(slave ? _pic.SlavePorts : _pic.MasterPorts, 0);
    }

    private byte Isr(bool slave = false)
    {
        Out(slave ? _pic.SlavePorts : _pic.MasterPorts, 0, 0x0B); // OCW3: read ISR
        return In(slave ? _pic.SlavePorts : _pic.MasterPorts, 0);
    }

    private void Eoi(bool slave = false) => Out(slave ? _pic.SlavePorts : _pic.MasterPorts, 0, 0x20);

    private void Pulse(int irq)
    {
        _pic.SetIrq(irq, true);
        _pic.SetIrq(irq, false);
    }

    [Fact]
    public void InitializationSetsTheVectorBaseAndAnIrqRaisesIntr()
    {
        Assert.False(_pic.InterruptRequested);
        Assert.Equal(0x20, _pic.MasterVectorBase);
        Assert.Equal(0, In(_pic.MasterPorts, 1)); // IMR cleared by ICW1, written 0
        _pic.SetIrq(4, true);
        Assert.True(_pic.InterruptRequested);
        Assert.Equal(1, _outputChanges);
        Assert.Equal(0x10, Irr());
        Assert.Equal(0x24, _pic.Acknowledge());
        Assert.False(_pic.InterruptRequested); // IRQ 4 is in service
        Assert.Equal(0x10, Isr());
        Assert.Equal(0, Irr()); // edge-triggered: IRR cleared by INTA
        Eoi();
        Assert.Equal(0, Isr());
        Assert.Equal([4], _acknowledged);
    }

    [Fact]
    public void HigherPrioritiesNestAndLowerOnesWait()
    {
        Pulse(5);
        Pulse(3);
        Assert.Equal(0x23, _pic.Acknowledge()); // IR3 before IR5
        Assert.True(_pic.InterruptRequested is false); // IR5 is lower than the IR3 in service
        Pulse(1);
        Assert.True(_pic.InterruptRequested); // IR1 is higher: fully nested
        Assert.Equal(0x21, _pic.Acknowledge());
        Assert.Equal(0x0A, Isr());
        Eoi(); // non-specific EOI ends the highest in service: IR1
        Assert.Equal(0x08, Isr());
        Assert.False(_pic.InterruptRequested);
        Eoi();
        Assert.True(_pic.InterruptRequested);
        Assert.Equal(0x25, _pic.Acknowledge());
        Eoi();
        Assert.Equal([1, 3, 5], _acknowledged);
    }

    [Fact]
    public void TheMaskHoldsRequestsBack()
    {
        Out(_pic.MasterPorts, 1, 0x08); // mask IR3
        Pulse(3);
        Assert.False(_pic.InterruptRequested);
        Assert.Equal(0x08, Irr()); // still requested
        Out(_pic.MasterPorts, 1, 0x00);
        Assert.True(_pic.InterruptRequested);
        Assert.Equal(0x23, _pic.Acknowledge());
    }

    [Fact]
    public void AnAcknowledgeWithoutARequestIsTheSpuriousIrq7()
    {
        Assert.Equal(0x27, _pic.Acknowledge());
        Assert.Equal(0, Isr()); // no ISR bit for a spurious interrupt
        // A request that went away (level-triggered line dropped) before INTA: spurious too.
        Out(_pic.ElcrPorts, 0, 0x20); // IRQ 5 level
        _pic.SetIrq(5, true);
        Assert.True(_pic.InterruptRequested);
        _pic.SetIrq(5, false);
        Assert.Equal(0x27, _pic.Acknowledge());
        Assert.Equal(0, Isr());
    }

    [Fact]
    public void SlaveIrqsCascadeThroughIr2()
    {
        Pulse(12);
        Assert.True(_pic.InterruptRequested);
        Assert.Equal(0x04, Irr()); // the cascade input
        Assert.Equal(0x28 + 4, _pic.Acknowledge());
        Assert.Equal(0x04, Isr());
        Assert.Equal(0x10, Isr(slave: true));
        Eoi(slave: true);
        Eoi();
        Assert.Equal(0, Isr());
        Assert.Equal(0, Isr(slave: true));
        Assert.Equal([12], _acknowledged); // the cascade's EOI is not an IRQ's

        // The slave's request vanished before INTA: the master's cascade is in service, the vector IRQ 15's.
        Out(_pic.ElcrPorts, 1, 0x08); // IRQ 11 level
        _pic.SetIrq(11, true);
        _pic.SetIrq(11, false);
        Assert.Equal(0x28 + 7, _pic.Acknowledge());
        Assert.Equal(0x04, Isr());
        Assert.Equal(0, Isr(slave: true));
    }

    [Fact]
    public void ASpecificEoiEndsThatIrq()
    {
        Pulse(6);
        Assert.Equal(0x26, _pic.Acknowledge());
        Pulse(2 + 1);
        Assert.Equal(0x23, _pic.Acknowledge());
        Out(_pic.MasterPorts, 0, 0x60 | 6); // specific EOI for IR6
        Assert.Equal(0x08, Isr());
        Out(_pic.MasterPorts, 0, 0x60 | 6); // again: nothing in service there
        Assert.Equal([6], _acknowledged);
    }

    [Fact]
    public void TheElcrMakesIrqsLevelTriggeredExceptTheReservedOnes()
    {
        Out(_pic.ElcrPorts, 0, 0xFF);
        Out(_pic.ElcrPorts, 1, 0xFF);
        Assert.Equal(0xF8, In(_pic.ElcrPorts, 0)); // IRQ 0, 1, 2 always edge
        Assert.Equal(0xDE, In(_pic.ElcrPorts, 1)); // IRQ 8 and 13 always edge

        _pic.SetIrq(10, true); // level
        Assert.Equal(0x28 + 2, _pic.Acknowledge());
        Eoi(slave: true);
        Eoi();
        Assert.True(_pic.InterruptRequested); // still high: requested again
        Assert.Equal(0x28 + 2, _pic.Acknowledge());
        _pic.SetIrq(10, false);
        Eoi(slave: true);
        Eoi();
        Assert.False(_pic.InterruptRequested);

        Out(_pic.ElcrPorts, 1, 0x00);
        _pic.SetIrq(10, true); // edge, held high
        Assert.Equal(0x28 + 2, _pic.Acknowledge());
        Eoi(slave: true);
        Eoi();
        Assert.False(_pic.InterruptRequested); // one edge, one interrupt
    }

    [Fact]
    public void AutoEoiLeavesNothingInService()
    {
        var pic = new PicPair(irqAcknowledged: irq => _acknowledged.Add(irq));
        InitPic(pic, autoEoi: true);
        pic.SetIrq(1, true);
        Assert.Equal(0x21, pic.Acknowledge());
        Out(pic.MasterPorts, 0, 0x0B);
        Assert.Equal(0, In(pic.MasterPorts, 0));
        Assert.Equal([1], _acknowledged);
    }

    [Fact]
    public void PollingIsAnAcknowledgeThroughTheCommandPort()
    {
        Out(_pic.MasterPorts, 0, 0x0C); // OCW3: poll
        Assert.Equal(0x00, In(_pic.MasterPorts, 0)); // nothing requested
        Pulse(5);
        Out(_pic.MasterPorts, 0, 0x0C);
        Assert.Equal(0x85, In(_pic.MasterPorts, 0));
        Assert.Equal(0x20, Isr());
        Assert.Equal(0, In(_pic.MasterPorts, 1)); // the next read is a normal one again (IMR)
    }

    [Fact]
    public void RotationMakesTheServicedIrqTheLowest()
    {
        Pulse(2 + 1);
        Assert.Equal(0x23, _pic.Acknowledge());
        Out(_pic.MasterPorts, 0, 0xA0); // rotate on non-specific EOI: IR3 lowest, IR4 highest
        Pulse(1);
        Pulse(5);
        Assert.Equal(0x25, _pic.Acknowledge()); // IR5 now outranks IR1
        Out(_pic.MasterPorts, 0, 0xC0 | 7); // set priority: IR7 lowest, IR0 highest again
        Eoi();
        Assert.Equal(0x21, _pic.Acknowledge());
    }

    [Fact]
    public void SpecialMaskModeLetsLowerIrqsThroughAMaskedInServiceIrq()
    {
        Pulse(2 + 1);
        Assert.Equal(0x23, _pic.Acknowledge());
        Pulse(6);
        Assert.False(_pic.InterruptRequested);
        Out(_pic.MasterPorts, 1, 0x08); // mask IR3 (in service)
        Out(_pic.MasterPorts, 0, 0x68); // OCW3: set special mask mode
        Assert.True(_pic.InterruptRequested);
        Assert.Equal(0x26, _pic.Acknowledge());
        Out(_pic.MasterPorts, 0, 0x48); // reset special mask mode
    }

    [Fact]
    public void WiderAccessesAreConsecutivePorts()
    {
        _pic.MasterPorts.Write(0, new byte[] { 0x0B, 0x5A }); // OCW3 to 0x20, IMR to 0x21
        byte[] both = new byte[2];
        _pic.MasterPorts.Read(0, both);
        Assert.Equal(new byte[] { 0x00, 0x5A }, both);
    }
}
