using Emu.Core.Interrupts;

namespace Emu.Devices.Pc;

/// <summary>
/// The PC's 8042 keyboard controller, with nothing plugged into its
/// keyboard and mouse ports (a headless machine). What an OS needs from it:
/// the self-tests, the command byte, the AUX loopback Linux uses to probe the
/// mouse port and the interrupts that go with it, and the CPU reset line:
/// pulsing output port bit 0 (command 0xFE) or writing it low (0xD1) resets
/// the machine. Bytes sent to a device get the 0xFE answer with the timeout
/// status bit, what the controller reports when no device answers, so the
/// OS's probe ends at once.
/// </summary>
public sealed partial class I8042Controller
{
    // Status register (port 0x64 read).
    private const byte StatusOutputFull = 0x01, StatusSystem = 0x04, StatusCommand = 0x08, StatusUnlocked = 0x10, StatusAuxData = 0x20, StatusTimeout = 0x40;

    // Command byte (controller RAM byte 0).
    private const byte CtrKeyboardInterrupt = 0x01, CtrAuxInterrupt = 0x02, CtrSystem = 0x04, CtrKeyboardDisabled = 0x10, CtrAuxDisabled = 0x20, CtrTranslate = 0x40;
    private const byte CtrDefault = CtrKeyboardInterrupt | CtrSystem | CtrAuxDisabled | CtrTranslate;

    // Output port: bit 0 is the CPU reset line (low = reset), bit 1 the A20 gate.
    private const byte OutputReset = 0x01, OutputA20 = 0x02;

    private const byte NoDevice = 0xFE;
    private const int QueueSize = 16;

    private readonly object _lock = new();
    private readonly byte[] _ram = new byte[32];
    private readonly Entry[] _queue = new Entry[QueueSize];
    private readonly IIrqLine _keyboardIrq;
    private readonly IIrqLine _auxIrq;
    private readonly Action _resetSystem;
    private int _head, _count;
    private byte _lastData;
    private byte _outputPort;
    private byte _pendingCommand;
    private bool _lastWriteWasCommand;
    private bool _keyboardLevel, _auxLevel;

    private struct Entry
    {
        public byte Value;
        public bool Aux;
        public bool Timeout;
    }

    public I8042Controller(IIrqLine keyboardIrq, IIrqLine auxIrq, Action resetSystem)
    {
        _keyboardIrq = keyboardIrq;
        _auxIrq = auxIrq;
        _resetSystem = resetSystem;
        Reset();
    }

    public void Reset()
    {
        lock (_lock)
        {
            Array.Clear(_ram);
            _ram[0] = CtrDefault;
            _head = _count = 0;
            _outputPort = OutputReset | OutputA20;
            _pendingCommand = 0;
            _lastWriteWasCommand = false;
            UpdateIrqs();
        }
    }

    /// <summary>Port 0x64 read.</summary>
    public byte ReadStatus()
    {
        lock (_lock)
        {
            byte status = StatusUnlocked;
            if ((_ram[0] & CtrSystem) != 0)
                status |= StatusSystem;
            if (_lastWriteWasCommand)
                status |= StatusCommand;
            if (_count > 0)
            {
                ref Entry head = ref _queue[_head];
                status |= StatusOutputFull;
                if (head.Aux)
                    status |= StatusAuxData;
                if (head.Timeout)
                    status |= StatusTimeout;
            }
            return status;
        }
    }

    /// <summary>Port 0x60 read: the next output byte, or the last one again when there is none.</summary>
    public byte ReadData()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                _lastData = _queue[_head].Value;
                _head = (_head + 1) % QueueSize;
                _count--;
                // The line drops with OBF; the next byte, if any, raises it again (a new edge).
                SetLines(false, false);
                UpdateIrqs();
            }
            return _lastData;
        }
    }

    /// <summary>Port 0x64 write.</summary>
    public void WriteCommand(byte command)
    {
        bool reset = false;
        lock (_lock)
        {
            _lastWriteWasCommand = true;
            _pendingCommand = 0;
            switch (command)
            {
                case >= 0x20 and <= 0x3F: // read controller RAM (0x20: the command byte)
                    Output(_ram[command & 0x1F]);
                    break;
                case >= 0x60 and <= 0x7F: // write controller RAM: the byte follows on port 0x60
                case 0xD1: // write output port
                case 0xD2: // write keyboard output buffer
                case 0xD3: // write AUX output buffer (loopback)
                case 0xD4: // write to the AUX device
                    _pendingCommand = command;
                    break;
                case 0xA7:
                    _ram[0] |= CtrAuxDisabled;
                    break;
                case 0xA8:
                    _ram[0] &= unchecked((byte)~CtrAuxDisabled);
                    break;
                case 0xA9: // AUX interface test: 0 = no error
                case 0xAB: // keyboard interface test
                    Output(0x00);
                    break;
                case 0xAA: // controller self-test passed
                    Output(0x55);
                    break;
                case 0xAD:
                    _ram[0] |= CtrKeyboardDisabled;
                    break;
                case 0xAE:
                    _ram[0] &= unchecked((byte)~CtrKeyboardDisabled);
                    break;
                case 0xC0: // input port: keyboard not inhibited
                    Output(0x80);
                    break;
                case 0xD0: // output port
                    Output(_outputPort);
                    break;
                case 0xDD:
                    _outputPort &= unchecked((byte)~OutputA20);
                    break;
                case 0xDF:
                    _outputPort |= OutputA20;
                    break;
                case >= 0xF0:
                    // Pulse the output port bits whose mask bit is 0 (bits 3:0): bit 0 is the reset line.
                    reset = (command & OutputReset) == 0;
                    break;
                default:
                    break; // unknown commands do nothing
            }
            UpdateIrqs();
        }
        if (reset)
            _resetSystem();
    }

    /// <summary>Port 0x60 write: the data byte of a pending command, or a byte for the keyboard.</summary>
    public void WriteData(byte value)
    {
        bool reset = false;
        lock (_lock)
        {
            _lastWriteWasCommand = false;
            byte command = _pendingCommand;
            _pendingCommand = 0;
            switch (command)
            {
                case >= 0x60 and <= 0x7F:
                    _ram[command & 0x1F] = value;
                    break;
                case 0xD1:
                    _outputPort = (byte)(value | 0x0C);
                    reset = (value & OutputReset) == 0;
                    break;
                case 0xD2:
                    Output(value);
                    break;
                case 0xD3:
                    Output(value, aux: true);
                    break;
                case 0xD4:
                    Output(NoDevice, aux: true, timeout: true); // no mouse
                    break;
                default:
                    Output(NoDevice, timeout: true); // no keyboard
                    break;
            }
            UpdateIrqs();
        }
        if (reset)
            _resetSystem();
    }

    private void Output(byte value, bool aux = false, bool timeout = false)
    {
        if (_count == QueueSize)
            return; // a guest that never reads loses bytes, as with the real buffer
        _queue[(_head + _count) % QueueSize] = new Entry { Value = value, Aux = aux, Timeout = timeout };
        _count++;
    }

    private void UpdateIrqs()
    {
        bool keyboard = false, aux = false;
        if (_count > 0)
        {
            bool isAux = _queue[_head].Aux;
            keyboard = !isAux && (_ram[0] & CtrKeyboardInterrupt) != 0;
            aux = isAux && (_ram[0] & CtrAuxInterrupt) != 0;
        }
        SetLines(keyboard, aux);
    }

    private void SetLines(bool keyboard, bool aux)
    {
        if (keyboard != _keyboardLevel)
        {
            _keyboardLevel = keyboard;
            _keyboardIrq.Set(keyboard);
        }
        if (aux != _auxLevel)
        {
            _auxLevel = aux;
            _auxIrq.Set(aux);
        }
    }
}
