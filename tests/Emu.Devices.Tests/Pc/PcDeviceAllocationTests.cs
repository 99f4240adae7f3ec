using Emu.Core.Interrupts;
using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Pc;

// The CMOS clock and the 8042 are reached from vCPU threads on every access: no allocations.
public sealed class PcDeviceAllocationTests
{
    [Fact]
    public void RtcAccessesAllocateNothing()
    {
        using var rtc = new Mc146818Rtc(NullIrqLine.Instance); // the real clock and timers
        for (int i = 0; i < 1000; i++)
            Access(rtc, i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
            Access(rtc, i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // Every clock register (0-13) in turn, and UIE re-armed now and then.
        static void Access(Mc146818Rtc rtc, int i)
        {
            Span<byte> value = stackalloc byte[1];
            ReadOnlySpan<byte> updateInterrupts = stackalloc byte[] { 0x12 };
            value[0] = (byte)(i % 14);
            rtc.Write(0, value);
            rtc.Read(1, value);
            if (i % 100 == 0)
            {
                value[0] = 0xB;
                rtc.Write(0, value);
                rtc.Write(1, updateInterrupts); // re-arms the timer
            }
        }
    }

    [Fact]
    public void KeyboardControllerAccessesAllocateNothing()
    {
        var kbc = new I8042Controller(NullIrqLine.Instance, NullIrqLine.Instance, () => { });
        void Access()
        {
            kbc.WriteCommand(0xD3);
            kbc.WriteData(0x5A);
            kbc.ReadStatus();
            kbc.ReadData();
            kbc.WriteData(0xF2);
            kbc.ReadData();
        }
        for (int i = 0; i < 1000; i++)
            Access();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
            Access();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
