using System.Runtime.InteropServices;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>
/// The VMM's standard output and input. Output is written straight to fd 1,
/// unbuffered, so the guest's text appears as it is printed; input is read
/// from fd 0 on a thread of its own until end of file.
/// </summary>
public sealed unsafe class StdioChardev : Chardev
{
    public static new readonly ObjectType TypeInfo = new("chardev-stdio", Chardev.TypeInfo, t => new StdioChardev(t), "The VMM's standard input and output", userCreatable: true);

    private readonly object _writeLock = new();
    private Thread? _reader;
    private bool _outputBroken;

    public StdioChardev(ObjectType type) : base(type)
    {
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            if (!_outputBroken && !FdWriter.WriteAll(1, data))
                _outputBroken = true; // stdout closed: drop output rather than fail the guest
        }
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
