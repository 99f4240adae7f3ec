namespace Emu.Devices.Irq;

/// <summary>
/// One 8259A programmable interrupt controller (Intel 8259A datasheet; ICH9
/// datasheet, 8259 interrupt controllers): the request (IRR), in-service
/// (ISR) and mask (IMR) registers, the priority resolver with rotation, the
/// initialization sequence and the operation command words. Runs under the
/// <see cref="PicPair"/>'s lock.
///
/// Requests: an edge-triggered input sets its IRR bit on a rising edge and
/// the bit stays set until acknowledged; a level-triggered one (ELCR) follows
/// the input. Priority: IR0 is highest until a rotation makes the IR after
/// the rotated one the highest. An IRQ interrupts when its priority
/// is above every in-service IRQ (in special mask mode, in-service IRQs that
/// are masked do not block; in special fully nested mode the master's cascade
/// input does not block itself).
/// </summary>
internal sealed partial class Pic8259
{
    private readonly byte _elcrWritable;
    private int _highestPriorityIrq; // IR(n) has priority (n - this) mod 8, 0 the highest
    private byte _inputs; // input levels, for edge detection
    private int _initStep; // 0: operational; 2, 3, 4: expecting ICW2, ICW3, ICW4
    private bool _expectIcw4;
    private bool _single;
    private bool _readIsr;
    private bool _poll;
    private bool _rotateOnAutoEoi;

    public Pic8259(bool master, byte elcrWritable)
    {
        IsMaster = master;
        _elcrWritable = elcrWritable;
    }

    public bool IsMaster { get; }

    public byte Irr { get; private set; }

    public byte Isr { get; private set; }

    public byte Imr { get; private set; }

    public byte Elcr { get; private set; }

    /// <summary>ICW2's interrupt vector base (bits 7:3).</summary>
    public byte VectorBase { get; private set; }

    public bool AutoEoi { get; private set; }

    public bool SpecialMask { get; private set; }

    public bool SpecialFullyNested { get; private set; }

    public void Reset()
    {
        InitializationReset();
        Elcr = 0;
        _inputs = 0;
        Irr = 0;
        VectorBase = 0;
    }

    // ICW1 (datasheet): the edge sense is reset, IMR cleared, IR7 lowest
    // priority, special mask mode off, status read set to IRR, and ICW4's
    // functions off until ICW4 says otherwise. The ELCR is not touched.
    private void InitializationReset()
    {
        _inputs = 0;
        Irr &= Elcr; // level requests stay as long as their inputs are high
        Imr = 0;
        Isr = 0;
        _highestPriorityIrq = 0;
        _readIsr = false;
        _poll = false;
        SpecialMask = false;
        AutoEoi = false;
        _rotateOnAutoEoi = false;
        SpecialFullyNested = false;
        _initStep = 0;
    }

    public void SetInput(int irq, bool level)
    {
        byte bit = (byte)(1 << irq);
        if ((Elcr & bit) != 0)
        {
            Irr = level ? (byte)(Irr | bit) : (byte)(Irr & ~bit);
        }
        else if (level && (_inputs & bit) == 0)
        {
            Irr |= bit;
        }
        _inputs = level ? (byte)(_inputs | bit) : (byte)(_inputs & ~bit);
    }

    /// <summary>The IRQ that would interrupt now, -1 for none.</summary>
    public int PendingIrq()
    {
        int priority = HighestPriority((byte)(Irr & ~Imr));
        if (priority == 8)
            return -1;
        byte inService = Isr;
        if (SpecialMask)
            inService &= (byte)~Imr;
        if (SpecialFullyNested && IsMaster)
            inService &= unchecked((byte)~(1 << 2));
        return priority < HighestPriority(inService) ? (priority + _highestPriorityIrq) & 7 : -1;
    }

    /// <summary>The INTA of <paramref name="irq"/>: IRR to ISR (or straight through with auto-EOI). Returns the IRQ whose service ended (auto-EOI), or -1.</summary>
    public int Acknowledge(int irq)
    {
        byte bit = (byte)(1 << irq);
        int ended = -1;
        if (AutoEoi)
        {
            if (_rotateOnAutoEoi)
                _highestPriorityIrq = (irq + 1) & 7;
            ended = irq;
        }
        else
        {
            Isr |= bit;
        }
        // A level-triggered request stays while its input is high.
        if ((Elcr & bit) == 0)
            Irr &= (byte)~bit;
        return ended;
    }

    /// <summary>A write to the command port (A0 = 0): ICW1, OCW2 or OCW3. Returns the IRQ an EOI ended, or -1.</summary>
    public int WriteCommand(byte value)
    {
        if ((value & 0x10) != 0)
        {
            // ICW1. LTIM (bit 3) is ignored on ICH9: the ELCR sets the trigger modes.
            InitializationReset();
            _expectIcw4 = (value & 0x01) != 0;
            _single = (value & 0x02) != 0;
            _initStep = 2;
            return -1;
        }
        if ((value & 0x08) != 0)
        {
            // OCW3: read register select, poll, special mask mode.
            if ((value & 0x02) != 0)
                _readIsr = (value & 0x01) != 0;
            if ((value & 0x04) != 0)
                _poll = true;
            if ((value & 0x40) != 0)
                SpecialMask = (value & 0x20) != 0;
            return -1;
        }
        // OCW2: R, SL, EOI in bits 7:5, the level in 2:0.
        int level = value & 7;
        switch (value >> 5)
        {
            case 0: // rotate in automatic EOI mode: clear
            case 4: // ... set
                _rotateOnAutoEoi = value >> 5 == 4;
                return -1;
            case 1: // non-specific EOI
            case 5: // rotate on non-specific EOI
            {
                int priority = HighestPriority(Isr);
                if (priority == 8)
                    return -1;
                int irq = (priority + _highestPriorityIrq) & 7;
                Isr &= (byte)~(1 << irq);
                if (value >> 5 == 5)
                    _highestPriorityIrq = (irq + 1) & 7;
                return irq;
            }
            case 3: // specific EOI
            case 7: // rotate on specific EOI
            {
                bool wasInService = (Isr & (1 << level)) != 0;
                Isr &= (byte)~(1 << level);
                if (value >> 5 == 7)
                    _highestPriorityIrq = (level + 1) & 7;
                return wasInService ? level : -1;
            }
            case 6: // set priority: IR(level) becomes the lowest
                _highestPriorityIrq = (level + 1) & 7;
                return -1;
            default: // 2: no operation
                return -1;
        }
    }

    /// <summary>A write to the data port (A0 = 1): the next ICW during initialization, else OCW1 (the IMR).</summary>
    public void WriteData(byte value)
    {
        switch (_initStep)
        {
            case 2: // ICW2: vector base (T7-T3)
                VectorBase = (byte)(value & 0xF8);
                _initStep = !_single ? 3 : _expectIcw4 ? 4 : 0;
                return;
            case 3: // ICW3: cascade wiring, fixed on a PC (slave on IR2, slave ID 2)
                _initStep = _expectIcw4 ? 4 : 0;
                return;
            case 4: // ICW4: AEOI (bit 1), SFNM (bit 4); 8086 mode and buffering are assumed
                AutoEoi = (value & 0x02) != 0;
                SpecialFullyNested = (value & 0x10) != 0;
                _initStep = 0;
                return;
            default:
                Imr = value;
                return;
        }
    }

    /// <summary>A read of the command port: the poll result after a poll command, else IRR or ISR as OCW3 chose.</summary>
    public byte ReadCommand(out bool polled) => Read(out polled, _readIsr ? Isr : Irr);

    /// <summary>A read of the data port: the IMR (or the poll result after a poll command).</summary>
    public byte ReadData(out bool polled) => Read(out polled, Imr);

    private byte Read(out bool polled, byte register)
    {
        polled = _poll;
        if (!_poll)
            return register;
        _poll = false;
        return 0; // the caller runs the poll: it is an interrupt acknowledge
    }

    public void WriteElcr(byte value) => Elcr = (byte)(value & _elcrWritable);

    // 0 for the highest-priority bit set in mask, 8 when none.
    private int HighestPriority(byte mask)
    {
        if (mask == 0)
            return 8;
        int priority = 0;
        while ((mask & (1 << ((priority + _highestPriorityIrq) & 7))) == 0)
            priority++;
        return priority;
    }
}
