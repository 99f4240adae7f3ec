using Emu.Core.Memory;

namespace Emu.Devices.Pc;

/// <summary>One of the 8042's two ports: data (0x60) or status/command (0x64). Byte accesses; wider ones see the register in the low byte.</summary>
internal sealed class I8042Port : IIoHandler
{
    private readonly I8042Controller _controller;
    private readonly bool _command;

    public I8042Port(I8042Controller controller, bool command)
    {
        _controller = controller;
        _command = command;
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Fill(0xFF);
        data[0] = _command ? _controller.ReadStatus() : _controller.ReadData();
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        if (_command)
            _controller.WriteCommand(data[0]);
        else
            _controller.WriteData(data[0]);
    }
}
