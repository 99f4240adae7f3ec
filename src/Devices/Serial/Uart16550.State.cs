using Emu.Core.Migration;

namespace Emu.Devices.Serial;

// The 16550's registers in the migration stream (the divisor latch, IER,
// LCR, MCR, LSR, MSR, scratch, FCR, the pending THR-empty interrupt) and,
// when asked for, the receive FIFO's bytes. A stream without the FIFO field
// (a q35-1.0 machine's) leaves the FIFO empty and clears data-ready.
// The IRQ level is restored with the interrupt lines.
public sealed partial class Uart16550
{
    internal void Save(StateWriter state, bool includeReceiveFifo)
    {
        lock (_lock)
        {
            state.WriteU16("divisor", _divisor);
            state.WriteU8("ier", _ier);
            state.WriteU8("lcr", _lcr);
            state.WriteU8("mcr", _mcr);
            state.WriteU8("lsr", _lsr);
            state.WriteU8("msr", _msr);
            state.WriteU8("scr", _scr);
            state.WriteU8("fcr", _fcr);
            state.WriteBool("thr-interrupt", _thrInterrupt);
            state.WriteBool("irq-level", _irqLevel);
            if (includeReceiveFifo)
            {
                byte[] fifo = new byte[_rxCount];
                for (int i = 0; i < _rxCount; i++)
                    fifo[i] = _rx[(_rxHead + i) % FifoSize];
                state.WriteBytes("rx-fifo", fifo);
            }
        }
    }

    internal void Load(StateReader state)
    {
        lock (_lock)
        {
            _divisor = state.ReadU16("divisor");
            _ier = (byte)(state.ReadU8("ier") & 0x0F);
            _lcr = state.ReadU8("lcr");
            _mcr = (byte)(state.ReadU8("mcr") & 0x1F);
            _lsr = state.ReadU8("lsr");
            _msr = state.ReadU8("msr");
            _scr = state.ReadU8("scr");
            _fcr = (byte)(state.ReadU8("fcr") & 0xC9);
            _thrInterrupt = state.ReadBool("thr-interrupt");
            _irqLevel = state.ReadBool("irq-level");
            _rxHead = 0;
            _rxCount = 0;
            if (state.Has("rx-fifo"))
            {
                ReadOnlySpan<byte> fifo = state.ReadBytes("rx-fifo", (_fcr & FcrEnable) != 0 ? FifoSize : 1);
                fifo.CopyTo(_rx);
                _rxCount = fifo.Length;
            }
            _lsr = _rxCount > 0 ? (byte)(_lsr | LsrDataReady) : (byte)(_lsr & ~LsrDataReady);
        }
    }
}
