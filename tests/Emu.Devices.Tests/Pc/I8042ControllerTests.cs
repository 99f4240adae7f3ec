using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Pc;

public sealed class I8042ControllerTests
{
    private const byte OutputFull = 0x01, AuxData = 0x20, Timeout = 0x40;

    private readonly RecordingIrqLine _keyboard = new();
    private readonly RecordingIrqLine _aux = new();
    private int _resets;
    private readonly I8042Controller _kbc;

    public I8042ControllerTests() => _kbc = new I8042Controller(_keyboard, _aux, () => _resets++);

    [Fact]
    public void SelfTestsAnswerAsTheyShould()
    {
        _kbc.WriteCommand(0xAA);
        Assert.Equal(OutputFull, _kbc.ReadStatus() & OutputFull);
        Assert.Equal(0x55, _kbc.ReadData());
        Assert.Equal(0, _kbc.ReadStatus() & OutputFull);
        _kbc.WriteCommand(0xAB);
        Assert.Equal(0x00, _kbc.ReadData());
        _kbc.WriteCommand(0xA9);
        Assert.Equal(0x00, _kbc.ReadData());
    }

    [Fact]
    public void TheCommandByteReadsBackWhatWasWritten()
    {
        _kbc.WriteCommand(0x60);
        _kbc.WriteData(0x47);
        _kbc.WriteCommand(0x20);
        Assert.Equal(0x47, _kbc.ReadData());
        _kbc.WriteCommand(0xA7); // disable AUX: bit 5
        _kbc.WriteCommand(0x20);
        Assert.Equal(0x67, _kbc.ReadData());
    }

    [Fact]
    public void PulsingTheResetLineResetsTheMachine()
    {
        _kbc.WriteCommand(0xFE);
        Assert.Equal(1, _resets);
        _kbc.WriteCommand(0xFF); // pulses nothing
        Assert.Equal(1, _resets);
        _kbc.WriteCommand(0xD1);
        _kbc.WriteData(0x02); // output port with bit 0 (reset) low
        Assert.Equal(2, _resets);
        _kbc.WriteCommand(0xD1);
        _kbc.WriteData(0x03);
        Assert.Equal(2, _resets);
    }

    [Fact]
    public void TheAuxLoopbackEchoesAsMouseDataWithIrq12()
    {
        _kbc.WriteCommand(0x60);
        _kbc.WriteData(0x47); // keyboard and AUX interrupts on
        _kbc.WriteCommand(0xD3);
        _kbc.WriteData(0x5A);
        Assert.Equal(OutputFull | AuxData, _kbc.ReadStatus() & (OutputFull | AuxData));
        Assert.True(_aux.Level);
        Assert.False(_keyboard.Level);
        Assert.Equal(0x5A, _kbc.ReadData());
        Assert.False(_aux.Level);
    }

    [Fact]
    public void BytesForAbsentDevicesTimeOutAtOnce()
    {
        _kbc.WriteData(0xF2); // "identify" to the keyboard
        Assert.Equal(OutputFull | Timeout, _kbc.ReadStatus() & (OutputFull | Timeout | AuxData));
        Assert.True(_keyboard.Level);
        Assert.Equal(0xFE, _kbc.ReadData());
        _kbc.WriteCommand(0xD4);
        _kbc.WriteData(0xF2); // the same to the mouse
        Assert.Equal(OutputFull | Timeout | AuxData, _kbc.ReadStatus() & (OutputFull | Timeout | AuxData));
        Assert.Equal(0xFE, _kbc.ReadData());
    }

    [Fact]
    public void EachQueuedByteIsANewInterruptEdge()
    {
        _kbc.WriteCommand(0xD2);
        _kbc.WriteData(0x11);
        _kbc.WriteCommand(0xD2);
        _kbc.WriteData(0x22);
        Assert.Equal(1, _keyboard.RisingEdges);
        Assert.Equal(0x11, _kbc.ReadData());
        Assert.Equal(2, _keyboard.RisingEdges);
        Assert.Equal(0x22, _kbc.ReadData());
        Assert.False(_keyboard.Level);
        Assert.Equal(0x22, _kbc.ReadData()); // empty: the last byte again
    }

    [Fact]
    public void NoInterruptWhenTheCommandByteDisablesIt()
    {
        _kbc.WriteCommand(0x60);
        _kbc.WriteData(0x44); // system flag and translation, no interrupts
        _kbc.WriteCommand(0xD2);
        _kbc.WriteData(0x11);
        Assert.Equal(0, _keyboard.RisingEdges);
        Assert.Equal(OutputFull, _kbc.ReadStatus() & OutputFull);
    }
}
