using System.Runtime.InteropServices;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>
/// The VMM's standard output and input. Output is written to fd 1 by the
/// backend's writer thread as soon as it is queued, so the guest's text
/// appears as it is printed; input is read
/// from fd 0 on a thread of its own until end of file.
/// </summary>
public sealed unsafe class StdioChardev : Chardev
{
    public static new readonly ObjectType TypeInfo = new("chardev-stdio", Chardev.TypeInfo, t => new StdioChardev(t), "The VMM's standard input and output", userCreatable: true);

    private Thread? _reader;
    private bool _outputBroken;

    public StdioChardev(ObjectType type) : base(type)
    {
    }

    // A terminal or the pipe of whoever started emu: a larger buffer than a socket's.
    protected override int OutputCapacity => 1 << 20;

    protected override bool WriteOut(ReadOnlySpan<byte> data)
    {
        if (_outputBroken)
            return false;
        if (!FdWriter.WriteAll(FdWriter.StandardOutput, data))
            _outputBroken = true; // stdout closed: drop output rather than fail the guest
        return !_outputBroken;
    }

    protected override void StartInput()
    {
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "stdio-input" };
        _reader.Start();
    }

    private void ReadLoop()
    {
        byte* buffer = stackalloc byte[256];
        while (!IsDisposed)
        {
            nint n = LibC.read(0, buffer, 256);
            if (n < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
                continue;
            if (n <= 0)
                return; // end of input (or stdin closed)
            if (!DeliverAll(new ReadOnlySpan<byte>(buffer, (int)n)))
                return;
        }
    }
}
