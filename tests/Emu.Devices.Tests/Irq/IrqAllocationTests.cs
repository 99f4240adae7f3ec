using Emu.Core.Interrupts;
using Emu.Devices.Irq;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Tests.Irq;

// Every interrupt delivery path runs on vCPU, device and timer threads: no allocations (DESIGN.md).
public sealed class IrqAllocationTests : IDisposable
{
    private readonly IrqRig _rig = new(cpus: 2);

    public IrqAllocationTests()
    {
        _rig.EnableAllApics();
        IrqRig.InitPic(_rig.Pic);
    }

    public void Dispose() => _rig.Dispose();

    private static void AssertNoAllocations(Action iteration)
    {
        for (int i = 0; i < 1000; i++)
            iteration();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
            iteration();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void IoApicEdgeAndLevelDeliveryAllocateNothing()
    {
        _rig.Route(5, 0x45, destination: 1);
        _rig.Route(10, 0x4A, destination: 0, level: true);
        IIrqLine edge = _rig.Controller.GetLine(5), level = _rig.Controller.GetLine(10);
        LocalApic cpu0 = _rig.Apics[0], cpu1 = _rig.Apics[1];
        AssertNoAllocations(() =>
        {
            edge.Pulse();
            cpu1.AcknowledgeInterrupt();
            cpu1.WriteRegister(R.Eoi, 0);
            level.Set(true);
            cpu0.AcknowledgeInterrupt();
            level.Set(false);
            cpu0.WriteRegister(R.Eoi, 0); // broadcast to the IOAPIC
        });
    }

    [Fact]
    public void MsisAndIpisAllocateNothing()
    {
        MsiMessage msi = MsiDecoder.Encode(1, 0x61);
        LocalApic cpu0 = _rig.Apics[0], cpu1 = _rig.Apics[1];
        IMsiRoute route = _rig.Controller.AddMsiRoute(MsiDecoder.Encode(0, 0x62));
        AssertNoAllocations(() =>
        {
            _rig.Controller.SignalMsi(msi);
            cpu1.AcknowledgeInterrupt();
            cpu1.WriteRegister(R.Eoi, 0);
            cpu1.WriteRegister(R.InterruptCommandHigh, 0);
            cpu1.WriteRegister(R.InterruptCommandLow, 0x4050); // IPI to CPU 0
            cpu1.WriteRegister(R.InterruptCommandLow, 0xC4051); // all but self
            cpu0.AcknowledgeInterrupt();
            cpu0.WriteRegister(R.Eoi, 0);
            cpu0.AcknowledgeInterrupt();
            cpu0.WriteRegister(R.Eoi, 0);
            ((MsiRoute)route).Deliver(_rig.Controller.Bus);
            cpu0.AcknowledgeInterrupt();
            cpu0.WriteRegister(R.Eoi, 0);
            _ = cpu0.HasPendingInterrupt;
            cpu0.TakeEvents(out _);
        });
    }

    [Fact]
    public void PicDeliveryAllocatesNothing()
    {
        IIrqLine keyboard = _rig.Controller.GetLine(1), disk = _rig.Controller.GetLine(14);
        LocalApic bsp = _rig.Apics[0];
        AssertNoAllocations(() =>
        {
            keyboard.Pulse();
            disk.Pulse();
            bsp.AcknowledgeInterrupt();
            IrqRig.Out(_rig.Pic.MasterPorts, 0, 0x20);
            bsp.AcknowledgeInterrupt();
            IrqRig.Out(_rig.Pic.SlavePorts, 0, 0x20);
            IrqRig.Out(_rig.Pic.MasterPorts, 0, 0x20);
        });
    }

    [Fact]
    public void IrqFdDeliveryAndResamplingAllocateNothing()
    {
        // What the irqfd thread does when a trigger fires, run here so this thread's allocations count.
        using var trigger = new Emu.Core.Posix.EventFd();
        using var msiTrigger = new Emu.Core.Posix.EventFd();
        using var resample = new Emu.Core.Posix.EventFd(nonBlocking: true);
        _rig.Route(11, 0x4B, destination: 1, level: true);
        var level = (IrqFdBinding)_rig.Controller.AddIrqFd(trigger, 11, resample);
        IMsiRoute route = _rig.Controller.AddMsiRoute(MsiDecoder.Encode(0, 0x66));
        var msi = (IrqFdBinding)_rig.Controller.AddIrqFd(msiTrigger, route.Gsi);
        LocalApic cpu0 = _rig.Apics[0], cpu1 = _rig.Apics[1];
        AssertNoAllocations(() =>
        {
            _rig.Controller.FireIrqFd(level);
            cpu1.AcknowledgeInterrupt();
            cpu1.WriteRegister(R.Eoi, 0); // resample: the line drops, the eventfd is signalled
            resample.Wait();
            _rig.Controller.FireIrqFd(msi);
            cpu0.AcknowledgeInterrupt();
            cpu0.WriteRegister(R.Eoi, 0);
        });
        level.Dispose();
        msi.Dispose();
    }

    [Fact]
    public void TimersAllocateNothing()
    {
        LocalApic cpu = _rig.Apics[0];
        cpu.WriteRegister(R.DivideConfiguration, 0b1011);
        cpu.WriteRegister(R.LvtTimer, (1 << 17) | 0xEC); // periodic
        cpu.WriteRegister(R.InitialCount, 250_000);
        IrqRig.Out(_rig.Controller.Pit, 3, 0x34);
        IrqRig.Out(_rig.Controller.Pit, 0, 0xA9);
        IrqRig.Out(_rig.Controller.Pit, 0, 0x04);
        AssertNoAllocations(() =>
        {
            _rig.Clock.Advance(1_000_000); // four APIC timer expiries and a PIT tick
            cpu.AcknowledgeInterrupt();
            cpu.WriteRegister(R.Eoi, 0);
            cpu.ReadRegister(R.CurrentCount);
            _rig.Controller.Pit.Read(0, stackalloc byte[1]);
            _rig.Controller.NmiStatusControl.Read(0, stackalloc byte[1]);
        });
    }
}
