using Emu.Core.Memory;

namespace Emu.Devices.Irq;

/// <summary>
/// The PC's two cascaded 8259A PICs (ICH9 datasheet, 8259 interrupt
/// controllers): the master at ports 0x20-0x21 takes IRQ 0-7, the slave at
/// 0xA0-0xA1 IRQ 8-15 and drives the master's IR2; the edge/level control
/// registers ELCR1/ELCR2 at 0x4D0-0x4D1 choose the trigger mode per IRQ
/// (IRQ 0, 1, 2, 8 and 13 are always edge: those ELCR bits are reserved).
///
/// The master's INT output is the CPU's INTR, wired to LINT0 of the local
/// APICs (the virtual wire): <see cref="InterruptRequested"/> is its level,
/// <see cref="Acknowledge"/> the INTA cycle that returns the vector. An INTA
/// without a request returns IRQ 7's vector (IRQ 15's when the master's
/// request was the cascade) without setting an ISR bit: the spurious
/// interrupt of the datasheet. The poll command turns the next read of a
/// port into an acknowledge that returns 0x80 | IRQ (0 when none).
///
/// The cascade: whenever the slave has a request it pulses the master's IR2
/// (as KVM's model does), so the master latches it even while the slave's
/// output stays high across an acknowledge.
///
/// Callbacks, both outside the lock: <c>irqAcknowledged</c> with an IRQ whose
/// in-service bit an EOI (or an auto-EOI acknowledge) cleared, for irqfd
/// resampling, before the requests are looked at again (so a resampled
/// line is already low); <c>outputChanged</c> when INTR changes level.
/// </summary>
public sealed partial class PicPair
{
    public const ushort MasterBase = 0x20, SlaveBase = 0xA0, ElcrBase = 0x4D0;
    public const int PortCount = 2;

    private readonly object _lock = new();
    private readonly Pic8259 _master = new(master: true, elcrWritable: 0xF8);
    private readonly Pic8259 _slave = new(master: false, elcrWritable: 0xDE);
    private readonly Action? _outputChanged;
    private readonly Action<int>? _irqAcknowledged;
    private volatile bool _intr;

    public PicPair(Action? outputChanged = null, Action<int>? irqAcknowledged = null)
    {
        _outputChanged = outputChanged;
        _irqAcknowledged = irqAcknowledged;
        MasterPorts = new PicPortHandler(this, PicPortKind.Master);
        SlavePorts = new PicPortHandler(this, PicPortKind.Slave);
        ElcrPorts = new PicPortHandler(this, PicPortKind.Elcr);
    }

    /// <summary>The level of the master's INT output (the CPU's INTR).</summary>
    public bool InterruptRequested => _intr;

    /// <summary>Ports 0x20-0x21.</summary>
    public IIoHandler MasterPorts { get; }

    /// <summary>Ports 0xA0-0xA1.</summary>
    public IIoHandler SlavePorts { get; }

    /// <summary>Ports 0x4D0-0x4D1 (ELCR1, ELCR2).</summary>
    public IIoHandler ElcrPorts { get; }

    /// <summary>The vector base the master's ICW2 set (for diagnostics and tests).</summary>
    public byte MasterVectorBase
    {
        get
        {
            lock (_lock)
                return _master.VectorBase;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _master.Reset();
            _slave.Reset();
        }
        Finish(-1);
    }

    /// <summary>Sets the input level of ISA IRQ <paramref name="irq"/> (0-15; 2 is the internal cascade and ignored).</summary>
    public void SetIrq(int irq, bool level)
    {
        if ((uint)irq >= 16 || irq == 2)
            return;
        lock (_lock)
            (irq < 8 ? _master : _slave).SetInput(irq & 7, level);
        Finish(-1);
    }

    /// <summary>The INTA cycle: the vector of the highest-priority request, which goes in service.</summary>
    public int Acknowledge()
    {
        int vector, ended = -1;
        lock (_lock)
        {
            int irq = _master.PendingIrq();
            if (irq < 0)
            {
                vector = _master.VectorBase + 7; // spurious IRQ 7
            }
            else
            {
                int masterEnded = _master.Acknowledge(irq);
                if (irq == 2)
                {
                    int slaveIrq = _slave.PendingIrq();
                    if (slaveIrq < 0)
                    {
                        vector = _slave.VectorBase + 7; // spurious IRQ 15
                    }
                    else
                    {
                        int slaveEnded = _slave.Acknowledge(slaveIrq);
                        ended = slaveEnded >= 0 ? slaveEnded + 8 : -1;
                        vector = _slave.VectorBase + slaveIrq;
                    }
                }
                else
                {
                    ended = masterEnded;
                    vector = _master.VectorBase + irq;
                }
            }
        }
        Finish(ended);
        return vector;
    }

    internal byte Read(PicPortKind kind, int port)
    {
        int ended = -1;
        byte value;
        lock (_lock)
        {
            if (kind == PicPortKind.Elcr)
                return port == 0 ? _master.Elcr : _slave.Elcr;
            Pic8259 chip = kind == PicPortKind.Master ? _master : _slave;
            value = port == 0 ? chip.ReadCommand(out bool polled) : chip.ReadData(out polled);
            if (!polled)
                return value;
            // Poll: the read is the acknowledge, and returns 0x80 | IRQ.
            int irq = chip.PendingIrq();
            if (irq >= 0)
            {
                int e = chip.Acknowledge(irq);
                if (e >= 0 && !(chip.IsMaster && e == 2))
                    ended = chip.IsMaster ? e : e + 8;
                value = (byte)(0x80 | irq);
            }
        }
        Finish(ended);
        return value;
    }

    internal void Write(PicPortKind kind, int port, byte value)
    {
        int ended = -1;
        lock (_lock)
        {
            if (kind == PicPortKind.Elcr)
            {
                (port == 0 ? _master : _slave).WriteElcr(value);
            }
            else
            {
                Pic8259 chip = kind == PicPortKind.Master ? _master : _slave;
                if (port == 0)
                {
                    int e = chip.WriteCommand(value);
                    if (e >= 0 && !(chip.IsMaster && e == 2))
                        ended = chip.IsMaster ? e : e + 8;
                }
                else
                {
                    chip.WriteData(value);
                }
            }
        }
        Finish(ended);
    }

    private bool UpdateLocked()
    {
        if (_slave.PendingIrq() >= 0)
        {
            _master.SetInput(2, true);
            _master.SetInput(2, false);
        }
        bool intr = _master.PendingIrq() >= 0;
        if (intr == _intr)
            return false;
        _intr = intr;
        return true;
    }

    // After a change: like KVM, whoever drives an IRQ whose service ended
    // hears of it first (an irqfd resampler lowers its line), then the
    // priority resolver runs and INTR follows.
    private void Finish(int endedIrq)
    {
        if (endedIrq >= 0)
            _irqAcknowledged?.Invoke(endedIrq);
        bool changed;
        lock (_lock)
            changed = UpdateLocked();
        if (changed)
            _outputChanged?.Invoke();
    }
}
