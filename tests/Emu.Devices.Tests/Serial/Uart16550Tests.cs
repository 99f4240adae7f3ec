using Emu.Devices.Serial;

namespace Emu.Devices.Tests.Serial;

public sealed class Uart16550Tests
{
    private readonly RecordingIrqLine _irq = new();
    private readonly CapturingChardev _backend = CapturingChardev.Create();
    private readonly Uart16550 _uart;

    public Uart16550Tests()
    {
        _uart = new Uart16550(_irq);
        _uart.Connect(_backend);
    }

    private byte In(int register)
    {
        Span<byte> b = stackalloc byte[1];
        _uart.Read((ulong)register, b);
        return b[0];
    }

    private void Out(int register, byte value) => _uart.Write((ulong)register, new[] { value });

    [Fact]
    public void WrittenBytesReachTheBackendAndTheTransmitterStaysEmpty()
    {
        foreach (byte b in "Hi\n"u8.ToArray())
            Out(0, b);
        Assert.Equal("Hi\n"u8.ToArray(), _backend.Output);
        Assert.Equal(0x60, In(5) & 0x60); // THRE and TEMT
    }

    [Fact]
    public void TheDivisorLatchIsReachedWithDlab()
    {
        Out(3, 0x80);
        Out(0, 0x01);
        Out(1, 0x00);
        Assert.Equal(0x01, In(0));
        Out(3, 0x03);
        Out(0, (byte)'x'); // with DLAB clear, offset 0 transmits again
        Assert.Equal((byte)'x', Assert.Single(_backend.Output));
    }

    [Fact]
    public void EnablingTheThrInterruptRaisesItAtOnceAndReadingIirAcknowledgesIt()
    {
        Assert.Equal(0x01, In(2) & 0x0F); // nothing pending
        Out(1, 0x02);
        Assert.True(_irq.Level);
        Assert.Equal(0x02, In(2) & 0x0F); // THR empty
        Assert.False(_irq.Level);
        Out(0, (byte)'a'); // the byte leaves at once: THRE again
        Assert.True(_irq.Level);
    }

    [Fact]
    public void ReceivedBytesWaitInTheFifoAndRaiseTheReceiveInterrupt()
    {
        Out(2, 0x07); // FIFO on, cleared
        Out(1, 0x01); // receive interrupt
        Assert.True(_backend.Feed("abc"u8.ToArray()));
        Assert.True(_irq.Level);
        Assert.Equal(0x04, In(2) & 0x0F);
        Assert.Equal(0xC0, In(2) & 0xC0); // FIFOs reported enabled
        Assert.Equal(1, In(5) & 1);
        Assert.Equal((byte)'a', In(0));
        Assert.Equal((byte)'b', In(0));
        Assert.Equal((byte)'c', In(0));
        Assert.Equal(0, In(5) & 1);
        Assert.False(_irq.Level);
    }

    [Fact]
    public async Task InputBeyondTheFifoWaitsForTheGuestInsteadOfBeingLost()
    {
        Out(2, 0x01);
        byte[] input = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var feeder = Task.Run(() => _backend.Feed(input));
        var received = new List<byte>();
        while (received.Count < input.Length)
        {
            if ((In(5) & 1) != 0)
                received.Add(In(0));
            else
                Thread.Yield();
        }
        Assert.True(await feeder.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(input, received);
        Assert.Equal(0, In(5) & 0x02); // no overrun
    }

    [Fact]
    public void LoopbackModeReflectsModemControlAsLinuxProbesIt()
    {
        // Linux's 8250 autoconfig writes MCR = LOOP|OUT2|RTS and expects MSR bits 7:4 = DCD|CTS.
        Out(4, 0x10 | 0x08 | 0x02);
        Assert.Equal(0x90, In(6) & 0xF0);
        Out(0, 0x5A); // loops back into the receiver, not out to the backend
        Assert.Equal(0x5A, In(0));
        Assert.Empty(_backend.Output);
    }

    [Fact]
    public void ScratchRegisterKeepsItsValue()
    {
        Out(7, 0xA5);
        Assert.Equal(0xA5, In(7));
    }

    [Fact]
    public void AnyGuestGarbageIsHarmless()
    {
        var rng = new Random(42);
        Span<byte> wide = stackalloc byte[8];
        for (int i = 0; i < 100_000; i++)
        {
            int register = rng.Next(10);
            if (rng.Next(2) == 0)
                Out(register, (byte)rng.Next(256));
            else
                _uart.Read((ulong)register, wide.Slice(0, rng.Next(1, 9)));
        }
        _uart.Reset();
        Assert.Equal(0x60, In(5));
        Assert.False(_irq.Level);
    }
}
