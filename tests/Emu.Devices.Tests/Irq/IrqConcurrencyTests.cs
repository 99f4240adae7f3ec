using Emu.Core.Interrupts;
using Emu.Devices.Irq;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Tests.Irq;

// Every kind of thread at once (vCPUs taking interrupts and sending IPIs,
// a device holding a level line, MSIs, real timers, the PIT on the 8259
// path): the per-chip locks must never deadlock and nothing is lost for good.
public sealed class IrqConcurrencyTests
{
    [Fact]
    public void AllThreadsTogetherNeverDeadlock()
    {
        var vcpus = new[] { new FakeApicVcpu(0), new FakeApicVcpu(1), new FakeApicVcpu(2) };
        using var irq = new UserspaceInterruptController(vcpus.Length);
        LocalApic[] apics = vcpus.Select(irq.CreateLocalApic).ToArray();
        foreach (LocalApic apic in apics)
            apic.WriteRegister(R.SpuriousVector, 0x1FF);
        IrqRig.InitPic(irq.Pic); // the PIT ticks into the BSP's virtual wire
        irq.IoApic.WriteIndirect(0x10 + 2 * 10, 0x8000 | 0x5A); // pin 10: level, vector 0x5A, CPU 0
        irq.IoApic.WriteIndirect(0x11 + 2 * 10, 0);
        IIrqLine line = irq.GetLine(10);

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        int levelServiced = 0, msis = 0;
        var threads = new List<Thread>();
        for (int c = 0; c < apics.Length; c++)
        {
            LocalApic self = apics[c];
            byte next = (byte)((c + 1) % apics.Length);
            threads.Add(new Thread(() =>
            {
                self.WriteRegister(R.DivideConfiguration, 0b1011);
                self.WriteRegister(R.LvtTimer, (1 << 17) | 0xEC);
                self.WriteRegister(R.InitialCount, 300_000);
                while (!stop.IsCancellationRequested)
                {
                    int vector = self.AcknowledgeInterrupt();
                    if (vector == 0x5A)
                    {
                        line.Set(false); // the driver services the device
                        Interlocked.Increment(ref levelServiced);
                    }
                    if (vector == 0x61)
                        Interlocked.Increment(ref msis);
                    if (vector is >= 0x20 and < 0x30)
                        IrqRig.Out(irq.Pic.MasterPorts, 0, 0x20); // an 8259 vector (PIT, or a spurious one)
                    else if (vector >= 0)
                        self.WriteRegister(R.Eoi, 0);
                    self.WriteRegister(R.InterruptCommandHigh, (uint)next << 24);
                    self.WriteRegister(R.InterruptCommandLow, 0x4041); // IPI to the next CPU
                    self.TaskPriorityClass = (byte)(vector & 1);
                }
            }));
        }
        threads.Add(new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                line.Set(true); // the device wants service
                Thread.SpinWait(200);
            }
        }));
        threads.Add(new Thread(() =>
        {
            MsiMessage msi = MsiDecoder.Encode(0xFF, 0x61); // to everyone
            while (!stop.IsCancellationRequested)
            {
                irq.SignalMsi(msi);
                Thread.SpinWait(500);
            }
        }));
        threads.Add(new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                IrqRig.Out(irq.Pit, 3, 0x34);
                IrqRig.Out(irq.Pit, 0, 0x10);
                IrqRig.Out(irq.Pit, 0, 0x01); // a fast tick, reprogrammed over and over
                IrqRig.Out(irq.NmiStatusControl, 0, 0x01);
                Thread.Sleep(1);
            }
        }));
        foreach (Thread t in threads)
            t.Start();
        foreach (Thread t in threads)
            Assert.True(t.Join(TimeSpan.FromSeconds(20)), $"thread {threads.IndexOf(t)} is stuck: a deadlock");
        Assert.True(levelServiced > 0);
        Assert.True(msis > 0);
    }
}
