using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Devices.Chardev;

namespace Emu.Devices.Serial;

/// <summary>
/// The registers of a National Semiconductor 16550A UART, as PCs have at
/// 0x3F8 (COM1). Transmission is instantaneous (the transmitter is always
/// empty); received bytes wait in the 16-byte FIFO (1 byte with FIFOs off).
/// Every guest value is accepted: unknown bits are stored or ignored like the
/// hardware does, nothing can fail.
/// </summary>
public sealed partial class Uart16550 : IIoHandler, IChardevFrontend
{
    // Register offsets.
    private const int RbrThrDll = 0, IerDlm = 1, IirFcr = 2, Lcr = 3, Mcr = 4, Lsr = 5, Msr = 6, Scr = 7;

    private const byte IerReceivedData = 0x01, IerThrEmpty = 0x02, IerLineStatus = 0x04, IerModemStatus = 0x08;
    private const byte IirNoInterrupt = 0x01, IirLineStatus = 0x06, IirReceivedData = 0x04, IirThrEmpty = 0x02, IirModemStatus = 0x00, IirFifoEnabled = 0xC0;
    private const byte FcrEnable = 0x01, FcrClearReceive = 0x02;
    private const byte LcrDlab = 0x80;
    private const byte McrDtr = 0x01, McrRts = 0x02, McrOut1 = 0x04, McrOut2 = 0x08, McrLoop = 0x10;
    private const byte LsrDataReady = 0x01, LsrOverrun = 0x02, LsrThrEmpty = 0x20, LsrTransmitterEmpty = 0x40;
    private const byte MsrDcts = 0x01, MsrDdsr = 0x02, MsrTeri = 0x04, MsrDdcd = 0x08, MsrCts = 0x10, MsrDsr = 0x20, MsrRi = 0x40, MsrDcd = 0x80;
    private const int FifoSize = 16;

    private readonly object _lock = new();
    private readonly byte[] _rx = new byte[FifoSize];
    private readonly IIrqLine _irq;
    private int _rxHead, _rxCount;
    private byte _ier, _lcr, _mcr, _lsr = LsrThrEmpty | LsrTransmitterEmpty, _msr = MsrDcd | MsrDsr | MsrCts, _scr, _fcr;
    private ushort _divisor = 12; // 9600 baud
    private bool _thrInterrupt;
    private bool _irqLevel;
    private Chardev.Chardev? _backend;

    public Uart16550(IIrqLine irq) => _irq = irq;

    /// <summary>Bytes the guest transmitted (handed to the backend, which may have dropped some: see <see cref="Chardev.Chardev.DroppedBytes"/>).</summary>
    public long TransmittedBytes { get; private set; }

    public void Connect(Chardev.Chardev backend)
    {
        _backend = backend;
        backend.Attach(this);
    }

    public void Disconnect()
    {
        _backend?.Detach(this);
        _backend = null;
    }

    public void Read(ulong offset, Span<byte> data)
    {
        // Registers are a byte wide; wider accesses read the register then all ones.
        data.Fill(0xFF);
        if (offset > 7)
            return;
        bool notify = false;
        lock (_lock)
        {
            data[0] = ReadRegister((int)offset, ref notify);
            UpdateIrq();
        }
        if (notify)
            _backend?.NotifyReceiveSpace();
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset > 7 || data.IsEmpty)
            return;
        byte value = data[0];
        byte transmit = 0;
        bool send = false, notify = false;
        lock (_lock)
        {
            WriteRegister((int)offset, value, ref send, ref transmit, ref notify);
            UpdateIrq();
        }
        if (send)
        {
            // Outside the lock. The backend only queues the byte for its writer
            // thread (no system call here); a consumer that stalls costs dropped
            // output, counted by the backend, never a stalled vCPU.
            _backend?.Write(new ReadOnlySpan<byte>(in transmit));
            TransmittedBytes++;
        }
        if (notify)
            _backend?.NotifyReceiveSpace();
    }

    private byte ReadRegister(int register, ref bool notify)
    {
        bool dlab = (_lcr & LcrDlab) != 0;
        switch (register)
        {
            case RbrThrDll:
                if (dlab)
                    return (byte)_divisor;
                if (_rxCount == 0)
                    return 0;
                byte b = _rx[_rxHead];
                _rxHead = (_rxHead + 1) % FifoSize;
                _rxCount--;
                if (_rxCount == 0)
                    _lsr &= unchecked((byte)~LsrDataReady);
                notify = true;
                return b;
            case IerDlm:
                return dlab ? (byte)(_divisor >> 8) : _ier;
            case IirFcr:
            {
                byte iir = CurrentInterrupt();
                // Reading IIR when it reports THR empty acknowledges that interrupt.
                if (iir == IirThrEmpty)
                    _thrInterrupt = false;
                return (byte)(iir | ((_fcr & FcrEnable) != 0 ? IirFifoEnabled : 0));
            }
            case Lcr:
                return _lcr;
            case Mcr:
                return _mcr;
            case Lsr:
            {
                byte lsr = _lsr;
                _lsr &= unchecked((byte)~LsrOverrun); // error bits clear on read
                return lsr;
            }
            case Msr:
            {
                byte msr = ModemStatus();
                _msr &= 0xF0; // delta bits clear on read
                return msr;
            }
            default:
                return _scr;
        }
    }

    private void WriteRegister(int register, byte value, ref bool send, ref byte transmit, ref bool notify)
    {
        bool dlab = (_lcr & LcrDlab) != 0;
        switch (register)
        {
            case RbrThrDll:
                if (dlab)
                {
                    _divisor = (ushort)((_divisor & 0xFF00) | value);
                    break;
                }
                if ((_mcr & McrLoop) != 0)
                {
                    Enqueue(value);
                }
                else
                {
                    send = true;
                    transmit = value;
                }
                // The byte leaves at once: the holding register is empty again.
                _thrInterrupt = true;
                break;
            case IerDlm:
                if (dlab)
                {
                    _divisor = (ushort)((_divisor & 0x00FF) | (value << 8));
                    break;
                }
                byte previous = _ier;
                _ier = (byte)(value & 0x0F);
                // Enabling the THR-empty interrupt while the THR is empty raises it at once (16550 behaviour drivers test for).
                if ((_ier & IerThrEmpty) != 0 && (previous & IerThrEmpty) == 0)
                    _thrInterrupt = true;
                break;
            case IirFcr:
                _fcr = (byte)(value & 0xC9);
                if ((value & FcrClearReceive) != 0 || (value & FcrEnable) == 0)
                {
                    _rxCount = 0;
                    _rxHead = 0;
                    _lsr &= unchecked((byte)~LsrDataReady);
                    notify = true;
                }
                break;
            case Lcr:
                _lcr = value;
                break;
            case Mcr:
                _mcr = (byte)(value & 0x1F);
                break;
            case Lsr:
            case Msr:
                break; // read-only
            default:
                _scr = value;
                break;
        }
    }

    private byte ModemStatus()
    {
        if ((_mcr & McrLoop) == 0)
            return _msr;
        // Loopback: the modem outputs drive the inputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD).
        byte status = (byte)(_msr & 0x0F);
        if ((_mcr & McrRts) != 0) status |= MsrCts;
        if ((_mcr & McrDtr) != 0) status |= MsrDsr;
        if ((_mcr & McrOut1) != 0) status |= MsrRi;
        if ((_mcr & McrOut2) != 0) status |= MsrDcd;
        return status;
    }

    private void Enqueue(byte value)
    {
        int capacity = (_fcr & FcrEnable) != 0 ? FifoSize : 1;
        if (_rxCount >= capacity)
        {
            _lsr |= LsrOverrun;
            return;
        }
        _rx[(_rxHead + _rxCount) % FifoSize] = value;
        _rxCount++;
        _lsr |= LsrDataReady;
    }

    // Highest-priority pending interrupt, as IIR encodes it.
    private byte CurrentInterrupt()
    {
        if ((_ier & IerLineStatus) != 0 && (_lsr & LsrOverrun) != 0)
            return IirLineStatus;
        if ((_ier & IerReceivedData) != 0 && _rxCount > 0)
            return IirReceivedData;
        if ((_ier & IerThrEmpty) != 0 && _thrInterrupt)
            return IirThrEmpty;
        if ((_ier & IerModemStatus) != 0 && (_msr & (MsrDcts | MsrDdsr | MsrTeri | MsrDdcd)) != 0)
            return IirModemStatus;
        return IirNoInterrupt;
    }

    private void UpdateIrq()
    {
        bool level = CurrentInterrupt() != IirNoInterrupt;
        if (level != _irqLevel)
        {
            _irqLevel = level;
            _irq.Set(level);
        }
    }

    /// <summary>Input from the backend; takes what fits in the receive FIFO.</summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if ((_mcr & McrLoop) != 0)
                return data.Length; // in loopback the line is disconnected
            int capacity = (_fcr & FcrEnable) != 0 ? FifoSize : 1;
            int taken = 0;
            while (taken < data.Length && _rxCount < capacity)
                Enqueue(data[taken++]);
            if (taken > 0)
                UpdateIrq();
            return taken;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _ier = _lcr = _mcr = _scr = _fcr = 0;
            _lsr = LsrThrEmpty | LsrTransmitterEmpty;
            _msr = MsrDcd | MsrDsr | MsrCts;
            _divisor = 12;
            _rxCount = _rxHead = 0;
            _thrInterrupt = false;
            UpdateIrq();
        }
        _backend?.NotifyReceiveSpace();
    }
}
