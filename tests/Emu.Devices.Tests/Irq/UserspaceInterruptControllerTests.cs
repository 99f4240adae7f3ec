using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Posix;
using Emu.Devices.Irq;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Tests.Irq;

// The controller as a board and devices see it: GSI wiring, MSI routes, irqfds, register windows.
public sealed class UserspaceInterruptControllerTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(5);

    private readonly IrqRig _rig = new(cpus: 2);

    public UserspaceInterruptControllerTests()
    {
        _rig.EnableAllApics();
        IrqRig.InitPic(_rig.Pic);
        IrqRig.Out(_rig.Pic.MasterPorts, 1, 0xFF); // PICs masked, as an OS on the IOAPIC leaves them
        IrqRig.Out(_rig.Pic.SlavePorts, 1, 0xFF);
    }

    public void Dispose() => _rig.Dispose();

    private UserspaceInterruptController Irq => _rig.Controller;

    [Fact]
    public void GsisAreWiredAsKvmRoutesThem()
    {
        Assert.True(Irq.SupportsIrqFd);
        Assert.Equal(24, Irq.IoApicPins);
        IrqRig.Out(Irq.Pit, 3, 0x30); // the PIT's OUT low (mode 0, no count): GSI 0 is free for the test
        for (int pin = 0; pin < 24; pin++)
            _rig.Route(pin, (byte)(0x40 + pin), destination: 0);
        var seen = new List<int>();
        for (int gsi = 0; gsi < 24; gsi++)
        {
            Irq.GetLine(gsi).Pulse();
            int vector = _rig.Apics[0].AcknowledgeInterrupt();
            seen.Add(vector < 0 ? -1 : vector - 0x40);
            if (vector >= 0)
                _rig.Apics[0].WriteRegister(R.Eoi, 0);
        }
        int[] expected = Enumerable.Range(0, 24).Select(g => g switch { 0 => 2, 2 => -1, _ => g }).ToArray();
        Assert.Equal(expected, seen); // GSI 0 is pin 2 (the MADT's override), GSI 2 goes nowhere
        Assert.Throws<ArgumentOutOfRangeException>(() => Irq.GetLine(24));

        // The ISA GSIs reach the 8259s too.
        IrqRig.InitPic(_rig.Pic); // ICW1 forgets the edges latched above; everything unmasked
        Irq.GetLine(14).Pulse();
        Assert.True(_rig.Pic.InterruptRequested);
        Assert.Equal(0x28 + 6, _rig.Pic.Acknowledge());
    }

    [Fact]
    public void ThePitTicksThroughIoApicPin2()
    {
        _rig.Route(2, 0x30, destination: 1);
        IrqRig.Out(Irq.Pit, 3, 0x34); // counter 0, mode 2
        IrqRig.Out(Irq.Pit, 0, 0xA9);
        IrqRig.Out(Irq.Pit, 0, 0x04); // 1193: ~1 ms
        int ticks = 0;
        for (int i = 0; i < 20; i++)
        {
            _rig.Clock.Advance(1_000_000);
            if (_rig.Apics[1].AcknowledgeInterrupt() == 0x30)
            {
                ticks++;
                _rig.Apics[1].WriteRegister(R.Eoi, 0);
            }
        }
        Assert.InRange(ticks, 19, 20);
    }

    [Fact]
    public void MsisAreDecodedAndRoutesReuseFreedGsis()
    {
        Irq.SignalMsi(MsiDecoder.Encode(1, 0x61));
        Assert.Equal(0x61, _rig.Apics[1].AcknowledgeInterrupt());
        Irq.SignalMsi(new MsiMessage(0xFED0_0000, 0x62)); // not an interrupt: dropped
        Assert.Equal(-1, _rig.Apics[1].AcknowledgeInterrupt());

        IMsiRoute a = Irq.AddMsiRoute(MsiDecoder.Encode(0, 0x70));
        IMsiRoute b = Irq.AddMsiRoute(MsiDecoder.Encode(0, 0x71));
        Assert.Equal(24, a.Gsi);
        Assert.Equal(25, b.Gsi);
        a.Dispose();
        IMsiRoute c = Irq.AddMsiRoute(MsiDecoder.Encode(0, 0x72));
        Assert.Equal(24, c.Gsi);
        c.Update(MsiDecoder.Encode(1, 0x73));
        Assert.Equal(MsiDecoder.Encode(1, 0x73), c.Message);
        var routes = new List<IMsiRoute>();
        for (int i = 0; i < 100; i++)
            routes.Add(Irq.AddMsiRoute(MsiDecoder.Encode(0, 0x74)));
        Assert.Equal(Enumerable.Range(26, 100), routes.Select(r => r.Gsi));
    }

    [Fact]
    public void AnIrqFdDeliversItsMsiRoute()
    {
        IMsiRoute route = Irq.AddMsiRoute(MsiDecoder.Encode(1, 0x66));
        using var trigger = new EventFd();
        using IDisposable binding = Irq.AddIrqFd(trigger, route.Gsi);
        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[1].HasPendingInterrupt, s_patience));
        Assert.Equal(0x66, _rig.Apics[1].AcknowledgeInterrupt());
        _rig.Apics[1].WriteRegister(R.Eoi, 0);

        route.Update(MsiDecoder.Encode(0, 0x67)); // the guest moved the vector
        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[0].HasPendingInterrupt, s_patience));
        Assert.Equal(0x67, _rig.Apics[0].AcknowledgeInterrupt());
    }

    [Fact]
    public void AnEdgeIrqFdPulsesItsLine()
    {
        _rig.Route(5, 0x45, destination: 0);
        using var trigger = new EventFd();
        IDisposable binding = Irq.AddIrqFd(trigger, 5);
        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[0].HasPendingInterrupt, s_patience));
        Assert.Equal(0x45, _rig.Apics[0].AcknowledgeInterrupt());
        _rig.Apics[0].WriteRegister(R.Eoi, 0);
        Assert.False(((GsiLine)Irq.GetLine(5)).Level);

        binding.Dispose();
        trigger.Signal(); // unbound: nothing happens
        Thread.Sleep(50);
        Assert.False(_rig.Apics[0].HasPendingInterrupt);
    }

    [Fact]
    public void AResampledIrqFdHoldsTheLevelUntilTheGuestsEoi()
    {
        _rig.Route(11, 0x4B, destination: 1, level: true);
        using var trigger = new EventFd();
        using var resample = new EventFd(nonBlocking: true);
        using IDisposable binding = Irq.AddIrqFd(trigger, 11, resample);
        var line = (GsiLine)Irq.GetLine(11);

        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[1].HasPendingInterrupt, s_patience));
        Assert.True(line.Level); // level-triggered: still asserted
        Assert.Equal(0x4B, _rig.Apics[1].AcknowledgeInterrupt());
        Assert.Equal(0ul, resample.Wait()); // nothing acknowledged yet
        _rig.Apics[1].WriteRegister(R.Eoi, 0); // EOI broadcast -> IOAPIC -> resampler
        Assert.False(line.Level); // de-asserted by the acknowledge...
        Assert.Equal(1ul, resample.Wait()); // ...and the device told to look again
        Assert.Equal(-1, _rig.Apics[1].AcknowledgeInterrupt()); // no second interrupt from the stale level

        // The device still needs service: it signals again.
        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[1].HasPendingInterrupt, s_patience));
        Assert.Equal(0x4B, _rig.Apics[1].AcknowledgeInterrupt());
        _rig.Apics[1].WriteRegister(R.Eoi, 0);
        Assert.Equal(1ul, resample.Wait());
    }

    [Fact]
    public void AResampledIrqFdOnThePicIsAcknowledgedByItsEoi()
    {
        IrqRig.Out(_rig.Pic.MasterPorts, 1, 0x00);
        IrqRig.Out(_rig.Pic.SlavePorts, 1, 0x00);
        IrqRig.Out(_rig.Pic.ElcrPorts, 1, 0x08); // IRQ 11 level, as PCI INTx on the 8259
        using var trigger = new EventFd();
        using var resample = new EventFd(nonBlocking: true);
        using IDisposable binding = Irq.AddIrqFd(trigger, 11, resample);
        trigger.Signal();
        Assert.True(SpinWait.SpinUntil(() => _rig.Apics[0].HasPendingInterrupt, s_patience)); // the BSP's virtual wire
        Assert.Equal(0x28 + 3, _rig.Apics[0].AcknowledgeInterrupt());
        IrqRig.Out(_rig.Pic.SlavePorts, 0, 0x20);
        IrqRig.Out(_rig.Pic.MasterPorts, 0, 0x20);
        Assert.Equal(1ul, resample.Wait());
        Assert.False(_rig.Pic.InterruptRequested);
    }

    [Fact]
    public void ResampleIsOnlyForLines()
    {
        using var trigger = new EventFd();
        using var resample = new EventFd();
        Assert.Throws<ArgumentException>(() => Irq.AddIrqFd(trigger, 30, resample));
        Assert.Throws<ArgumentOutOfRangeException>(() => Irq.AddIrqFd(trigger, -1));
        using IDisposable bound = Irq.AddIrqFd(trigger, 5);
        Assert.Throws<InvalidOperationException>(() => Irq.AddIrqFd(trigger, 6)); // one eventfd, one GSI (KVM: EBUSY)
    }

    [Fact]
    public void RegistersAreMappedWhereAPcHasThem()
    {
        var memory = MemoryRegion.CreateContainer("memory", 1ul << 32);
        var io = MemoryRegion.CreateContainer("io", 0x10000);
        Irq.AddRegions(memory, io);
        Assert.Contains(memory.Subregions, r => r.Address == 0xFEC0_0000 && r.Size == 0x1000 && r.Handler == Irq.IoApic);
        var ports = io.Subregions.Select(r => (r.Address, r.Size)).OrderBy(p => p.Address).ToArray();
        Assert.Equal(new (ulong, ulong)[] { (0x20, 2), (0x40, 4), (0x61, 1), (0xA0, 2), (0x4D0, 2) }, ports);
        Irq.RemoveRegions();
        Assert.Empty(io.Subregions);
        Assert.Empty(memory.Subregions);
    }

    [Fact]
    public void ResetReturnsEverythingToPowerOn()
    {
        _rig.Route(3, 0x33, destination: 1);
        _rig.Apics[1].WriteRegister(R.TaskPriority, 0x30);
        Irq.Reset();
        Assert.Equal(0x0001_0000u, _rig.IoApic.ReadIndirect(0x10 + 2 * 3));
        Assert.Equal(0u, _rig.Apics[1].ReadRegister(R.TaskPriority));
        Assert.Equal(0x900ul, _rig.Apics[0].BaseMsr & 0xF00);
        Assert.Equal(3, Irq.Pit.GetMode(0));
    }
}
