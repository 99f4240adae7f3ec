using System.Net.Sockets;
using Emu.Devices.Chardev;
using Emu.Devices.Serial;
using Emu.Devices.Tests.Fakes;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Tests.Chardev;

// Issue 15, item 8: guest output never waits for the host.
public sealed class ChardevOutputTests
{
    private static string TempPath(string suffix) => Path.Combine(Path.GetTempPath(), $"emu-chardev-{Guid.NewGuid():N}{suffix}");

    private static readonly byte[] s_x = { (byte)'x' };

    private static void Transmit(Uart16550 uart, int count)
    {
        for (int i = 0; i < count; i++)
            uart.Write(0, s_x); // THR
    }

    private static bool DataReady(Uart16550 uart)
    {
        Span<byte> lsr = stackalloc byte[1];
        uart.Read(5, lsr);
        return (lsr[0] & 1) != 0;
    }

    // A client that connects and never reads filled the socket buffers, and
    // the UART's next byte blocked the vCPU in send(2) for as long as the
    // client stayed: the guest froze. Now the output beyond the buffer is
    // dropped, counted, and logged once.
    [Fact]
    public void AClientThatNeverReadsCostsDroppedOutputNotAFrozenGuest()
    {
        string path = TempPath(".sock");
        var logger = new RecordingLogger();
        var chardev = (SocketChardev)SocketChardev.TypeInfo.CreateInstance();
        chardev.Id = "con";
        chardev.Logger = logger;
        chardev.SetText("path", path);
        chardev.Open();
        var uart = new Uart16550(new FakeIrqLine());
        uart.Connect(chardev);
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            client.ReceiveBufferSize = 4096;
            // Output goes to the client from the moment the accept thread has it: its input arriving proves that.
            client.Send("i"u8);
            Assert.True(SpinWait.SpinUntil(() => DataReady(uart), TimeSpan.FromSeconds(10)));

            const int Bytes = 8 << 20;
            var guest = new Thread(() => Transmit(uart, Bytes)) { IsBackground = true };
            guest.Start();
            Assert.True(guest.Join(TimeSpan.FromSeconds(30)), "the vCPU is stuck writing to a client that does not read");
            Assert.True(chardev.DroppedBytes > Bytes / 2, $"dropped {chardev.DroppedBytes}");
            Assert.Equal(Bytes, uart.TransmittedBytes);
            var warning = Assert.Single(logger.Entries);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("chardev 'con'", warning.Text);
            Assert.Contains("dropped", warning.Text);
            Assert.Null(warning.Exception);
        }
        finally
        {
            uart.Disconnect();
            chardev.Dispose();
        }
        Assert.False(File.Exists(path));
    }

    // The UART hands over one byte per THR write; the writer thread turns a
    // burst into a few write(2) calls, and nothing is lost on the way.
    [Fact]
    public void ByteAtATimeOutputLeavesInBatchesAndInOrder()
    {
        string path = TempPath(".log");
        var chardev = (FileChardev)FileChardev.TypeInfo.CreateInstance();
        chardev.SetText("path", path);
        chardev.Open();
        var uart = new Uart16550(new FakeIrqLine());
        uart.Connect(chardev);
        try
        {
            const int Bytes = 200_000;
            byte[] b = new byte[1];
            for (int i = 0; i < Bytes; i++)
            {
                b[0] = (byte)('a' + i % 26);
                uart.Write(0, b);
            }
            Assert.True(chardev.FlushOutput(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, chardev.DroppedBytes);
            Assert.Equal(Bytes, chardev.WrittenBytes);
            Assert.True(chardev.OutputWrites < Bytes / 10, $"{chardev.OutputWrites} writes for {Bytes} bytes");
            uart.Disconnect();
            chardev.Dispose();
            byte[] file = File.ReadAllBytes(path);
            Assert.Equal(Bytes, file.Length);
            for (int i = 0; i < Bytes; i++)
                Assert.Equal((byte)('a' + i % 26), file[i]);
        }
        finally
        {
            chardev.Dispose();
            File.Delete(path);
        }
    }

    // Handing a byte to the backend allocates nothing (after the writer thread exists).
    [Fact]
    public void QueueingOutputDoesNotAllocate()
    {
        var chardev = (NullChardevWithOutput)NullChardevWithOutput.Create();
        try
        {
            var uart = new Uart16550(new FakeIrqLine());
            uart.Connect(chardev);
            Transmit(uart, 1000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Transmit(uart, 100_000);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            chardev.Dispose();
        }
    }

    [Fact]
    public void ClosingWritesWhatIsQueued()
    {
        string path = TempPath(".log");
        var chardev = (FileChardev)FileChardev.TypeInfo.CreateInstance();
        chardev.SetText("path", path);
        chardev.Open();
        try
        {
            for (int i = 0; i < 1000; i++)
                chardev.Write("0123456789"u8);
            chardev.Dispose();
            Assert.Equal(10_000, new FileInfo(path).Length);
            chardev.Write("late"u8); // after close: ignored, no exception
        }
        finally
        {
            File.Delete(path);
        }
    }
}
