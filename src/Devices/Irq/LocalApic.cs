using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Irq;

/// <summary>
/// One vCPU's local APIC (Intel SDM vol. 3A, chapter 11), in xAPIC mode (the
/// register page) and x2APIC mode (MSRs 0x800-0x8FF), version 0x14 with six
/// LVT entries (timer, thermal, performance, LINT0, LINT1, error), as QEMU and
/// KVM present it.
///
/// Interrupts: fixed and lowest-priority messages set IRR (and TMR for level
/// triggered ones); the interrupt acknowledge moves the highest IRR vector
/// whose priority class is above the processor priority (PPR = the higher of
/// TPR and the highest ISR class) to ISR; EOI clears the highest ISR bit and,
/// for a level-triggered vector (TMR), broadcasts the EOI to the IOAPIC.
/// Vectors 0-15 are illegal: they set the receive-illegal-vector error and
/// are dropped. NMI, SMI, INIT and SIPI are latched as events for the vCPU
/// (<see cref="TakeEvents"/>); an INIT also resets the APIC (all but the ID
/// and IA32_APIC_BASE, 11.4.7.3).
///
/// LINT0 in ExtINT mode is the virtual wire from the 8259 pair: its INTR
/// output is offered to the CPU and the acknowledge reads the 8259's vector;
/// a globally disabled APIC passes INTR (and LINT1 as NMI) straight through,
/// as on a PC. The BSP's LINT0 resets to unmasked ExtINT, as QEMU and KVM
/// leave it, so firmware gets the PIC's interrupts right away.
///
/// Threads: the owning vCPU reads and writes registers; the bus (IPIs from
/// other vCPUs, the IOAPIC, MSIs) and the clock thread (timer) make
/// interrupts pending. All state is under one lock; what the vCPU checks at
/// every instruction block (<see cref="HasPendingInterrupt"/>) is two
/// volatile fields kept up to date under that lock. Anything that leaves the
/// APIC (IPIs, EOI broadcasts, the 8259 acknowledge) is done after releasing
/// the lock, so APIC locks never nest.
/// </summary>
public sealed partial class LocalApic : ILocalApic
{
    public const ulong DefaultBaseAddress = 0xFEE0_0000;

    /// <summary>Version register: version 0x14, max LVT entry 5 in bits 23:16, no EOI-broadcast suppression (bit 24).</summary>
    public const uint VersionValue = 0x0005_0014;

    private const ulong BaseBsp = 1 << 8, BaseExtd = 1 << 10, BaseEnable = 1 << 11;
    private const int LvtCount = 6, LvtTimer = 0, LvtThermal = 1, LvtPerformance = 2, LvtLint0 = 3, LvtLint1 = 4, LvtError = 5;
    private const uint LvtMasked = 1 << 16;
    private const uint SvrEnable = 1 << 8;

    private readonly object _lock = new();
    private readonly ApicBus _bus;
    private readonly ClockEvents _clock;
    private readonly IUserspaceApicVcpu _vcpu;
    private readonly PicPair? _pic;
    private readonly LocalApicTimer _timer;
    private readonly ulong _baseReserved;
    private readonly bool _tscDeadlineSupported;
    private readonly uint[] _lvt = new uint[LvtCount];

    private ulong _baseMsr;
    private volatile LocalApicMode _mode;
    private volatile uint _id;
    private volatile uint _ldr;
    private volatile uint _dfr;
    private volatile uint _tpr;
    private uint _svr;
    private uint _esr;        // what the ESR reads: latched by the last ESR write
    private uint _esrPending; // errors since then
    private uint _icrLow, _icrHigh;
    private ApicVectorSet _irr, _isr, _tmr;
    private bool _lint0Level, _lint1Level;

    private volatile int _pendingVector = -1; // the IRR vector the CPU would take now, -1 for none
    private volatile bool _acceptsExtInt;     // LINT0 is the 8259's virtual wire
    private int _events;
    private volatile byte _startupVector;

    /// <param name="index">The vCPU index, which is the initial APIC ID (and x2APIC ID).</param>
    /// <param name="pic">The 8259 pair whose INTR reaches LINT0, if any.</param>
    /// <param name="physicalAddressBits">The guest's MAXPHYADDR: base MSR bits at and above it are reserved.</param>
    /// <param name="x2ApicSupported">Whether CPUID advertises x2APIC (else EXTD is reserved).</param>
    /// <param name="tscDeadlineSupported">Whether CPUID advertises TSC-deadline mode (else LVT timer bit 18 is reserved).</param>
    public LocalApic(int index, ApicBus bus, ClockEvents clock, IUserspaceApicVcpu vcpu, PicPair? pic = null,
        int physicalAddressBits = 52, bool x2ApicSupported = true, bool tscDeadlineSupported = true)
    {
        if ((uint)index >= 0xFF)
            throw new ArgumentOutOfRangeException(nameof(index), "xAPIC IDs go up to 254 (0xFF is the broadcast)");
        Index = index;
        _bus = bus;
        _clock = clock;
        _vcpu = vcpu;
        _pic = pic;
        _tscDeadlineSupported = tscDeadlineSupported;
        _baseReserved = 0x2FFul | (x2ApicSupported ? 0 : BaseExtd) | (physicalAddressBits >= 64 ? 0 : ~0ul << physicalAddressBits);
        _timer = new LocalApicTimer(clock, OnTimerExpired);
        Reset(index == 0);
    }

    /// <summary>The vCPU index and initial APIC ID.</summary>
    public int Index { get; }

    public LocalApicMode Mode => _mode;

    /// <summary>The APIC ID as the bus matches it (8 bits in xAPIC mode, the x2APIC ID in x2APIC mode).</summary>
    public uint Id => _id;

    public ulong BaseMsr
    {
        get
        {
            lock (_lock)
                return _baseMsr;
        }
    }

    /// <summary>The armed TSC deadline in monotonic nanoseconds: 0 when disarmed and after it fired, as IA32_TSC_DEADLINE reads then.</summary>
    public long TscDeadline
    {
        get
        {
            lock (_lock)
                return _timer.TscDeadline;
        }
    }

    public byte TaskPriorityClass
    {
        get => (byte)(_tpr >> 4);
        set
        {
            lock (_lock)
            {
                _tpr = (uint)(value & 0xF) << 4;
                UpdatePendingLocked();
            }
        }
    }

    public bool HasPendingInterrupt => _pendingVector >= 0 || (_acceptsExtInt && _pic != null && _pic.InterruptRequested);

    private bool SoftwareEnabled => (_svr & SvrEnable) != 0;

    private LocalApicTimerMode TimerMode => (LocalApicTimerMode)((_lvt[LvtTimer] >> 17) & (_tscDeadlineSupported ? 3u : 1u)) switch
    {
        LocalApicTimerMode.TscDeadline => LocalApicTimerMode.TscDeadline,
        LocalApicTimerMode.Periodic => LocalApicTimerMode.Periodic,
        _ => LocalApicTimerMode.OneShot,
    };

    // ---- IA32_APIC_BASE (11.4.4, 11.12.5) ----

    public bool TrySetBaseMsr(ulong value)
    {
        if ((value & _baseReserved) != 0)
            return false;
        LocalApicMode mode;
        switch (value & (BaseEnable | BaseExtd))
        {
            case 0:
                mode = LocalApicMode.Disabled;
                break;
            case BaseEnable:
                mode = LocalApicMode.XApic;
                break;
            case BaseEnable | BaseExtd:
                mode = LocalApicMode.X2Apic;
                break;
            default:
                return false; // EXTD without EN is the invalid state
        }
        lock (_lock)
        {
            LocalApicMode old = _mode;
            // x2APIC can only be left by disabling; disabled goes to xAPIC first.
            if ((old == LocalApicMode.X2Apic && mode == LocalApicMode.XApic) || (old == LocalApicMode.Disabled && mode == LocalApicMode.X2Apic))
                return false;
            _baseMsr = value;
            if (mode != old)
            {
                _mode = mode;
                if (mode == LocalApicMode.Disabled || old == LocalApicMode.Disabled)
                {
                    // Disabling loses the state; the APIC comes back as after reset, with its initial ID.
                    _id = (uint)Index;
                    InitResetLocked();
                }
                else
                {
                    // xAPIC to x2APIC keeps the registers; the ID becomes the x2APIC ID and LDR is derived from it.
                    _id = (uint)Index;
                    _ldr = X2ApicLogicalId((uint)Index);
                }
                UpdateExtIntLocked();
                UpdatePendingLocked();
            }
        }
        return true;
    }

    /// <summary>The x2APIC logical ID (11.12.10.2): cluster ID[19:4] in bits 31:16, one bit for ID[3:0] in bits 15:0.</summary>
    public static uint X2ApicLogicalId(uint x2ApicId) => ((x2ApicId >> 4) << 16) | (1u << (int)(x2ApicId & 0xF));

    // ---- Register access ----

    public uint ReadRegister(uint offset)
    {
        if (_mode != LocalApicMode.XApic || (offset & 0xF) != 0 || offset >= 0x400)
            return 0;
        lock (_lock)
        {
            switch (offset)
            {
                case R.Eoi:
                    return 0; // write-only
                case R.SelfIpi:
                    break;
                default:
                    if (TryReadLocked(offset, out uint value))
                        return value;
                    break;
            }
            SetErrorLocked(R.ErrorIllegalRegister);
            return 0;
        }
    }

    public void WriteRegister(uint offset, uint value)
    {
        if (_mode != LocalApicMode.XApic || (offset & 0xF) != 0 || offset >= 0x400)
            return;
        switch (offset)
        {
            case R.Eoi:
                EndOfInterrupt();
                return;
            case R.InterruptCommandLow:
                SendIpi(value & 0x000C_CFFF, x2Apic: false);
                return;
        }
        lock (_lock)
        {
            switch (offset)
            {
                case R.Id:
                    _id = value >> 24;
                    return;
                case R.LogicalDestination:
                    _ldr = value & 0xFF00_0000;
                    return;
                case R.DestinationFormat:
                    _dfr = value | 0x0FFF_FFFF;
                    return;
                case R.InterruptCommandHigh:
                    _icrHigh = value & 0xFF00_0000;
                    return;
                case R.ErrorStatus:
                    LatchErrorsLocked();
                    return;
                case R.Version or R.ArbitrationPriority or R.ProcessorPriority or R.CurrentCount:
                case >= R.InService and < R.ErrorStatus:
                    return; // read-only
            }
            if (!TryWriteCommonLocked(offset, value))
                SetErrorLocked(R.ErrorIllegalRegister);
        }
    }

    public bool TryReadMsr(uint index, out ulong value)
    {
        value = 0;
        if (_mode != LocalApicMode.X2Apic || index < R.X2ApicMsrBase || index > R.X2ApicMsrLast)
            return false;
        uint offset = (index - R.X2ApicMsrBase) << 4;
        lock (_lock)
        {
            switch (offset)
            {
                case R.InterruptCommandLow:
                    value = ((ulong)_icrHigh << 32) | _icrLow;
                    return true;
                // Not in x2APIC mode (table 11-6), or write-only.
                case R.ArbitrationPriority or R.DestinationFormat or R.InterruptCommandHigh or R.Eoi or R.SelfIpi:
                    return false;
            }
            if (!TryReadLocked(offset, out uint v))
                return false;
            value = v;
            return true;
        }
    }

    public bool TryWriteMsr(uint index, ulong value)
    {
        if (_mode != LocalApicMode.X2Apic || index < R.X2ApicMsrBase || index > R.X2ApicMsrLast)
            return false;
        uint offset = (index - R.X2ApicMsrBase) << 4;
        if (offset == R.InterruptCommandLow)
        {
            // One 64-bit register: destination in 63:32; delivery status (12), 13, 16-17 and 20-31 are reserved.
            if ((value & 0xFFF3_3000) != 0)
                return false;
            SendIpi((uint)value, x2Apic: true, destination: (uint)(value >> 32));
            return true;
        }
        if (value >> 32 != 0)
            return false; // the upper halves of the other registers are reserved
        uint v = (uint)value;
        switch (offset)
        {
            case R.Eoi:
                if (v != 0)
                    return false; // WRMSR of a non-zero value to EOI is a #GP
                EndOfInterrupt();
                return true;
            case R.SelfIpi:
                if ((v & ~0xFFu) != 0)
                    return false;
                _bus.Deliver(new ApicMessage(ApicDeliveryMode.Fixed, (byte)v, 0, Shorthand: ApicShorthand.Self, X2ApicFormat: true), this);
                return true;
        }
        lock (_lock)
        {
            switch (offset)
            {
                case R.TaskPriority when (v & ~0xFFu) != 0:
                case R.SpuriousVector when (v & ~0x3FFu) != 0:
                    return false;
                case R.ErrorStatus:
                    if (v != 0)
                        return false;
                    LatchErrorsLocked();
                    return true;
                case R.Id or R.Version or R.ProcessorPriority or R.LogicalDestination or R.CurrentCount:
                case >= R.InService and < R.ErrorStatus:
                    return false; // read-only in x2APIC mode
            }
            return TryWriteCommonLocked(offset, v);
        }
    }

    // Registers both modes read the same way; false for an unknown offset.
    private bool TryReadLocked(uint offset, out uint value)
    {
        switch (offset)
        {
            case R.Id:
                value = _mode == LocalApicMode.X2Apic ? _id : _id << 24;
                return true;
            case R.Version:
                value = VersionValue;
                return true;
            case R.TaskPriority:
                value = _tpr;
                return true;
            case R.ArbitrationPriority:
                value = ArbitrationPriorityLocked();
                return true;
            case R.ProcessorPriority:
                value = ProcessorPriorityLocked();
                return true;
            case R.LogicalDestination:
                value = _ldr;
                return true;
            case R.DestinationFormat:
                value = _dfr;
                return true;
            case R.SpuriousVector:
                value = _svr;
                return true;
            case >= R.InService and < R.TriggerMode:
                value = _isr[(int)(offset - R.InService) >> 4];
                return true;
            case >= R.TriggerMode and < R.InterruptRequest:
                value = _tmr[(int)(offset - R.TriggerMode) >> 4];
                return true;
            case >= R.InterruptRequest and < R.ErrorStatus:
                value = _irr[(int)(offset - R.InterruptRequest) >> 4];
                return true;
            case R.ErrorStatus:
                value = _esr;
                return true;
            case R.InterruptCommandLow:
                value = _icrLow;
                return true;
            case R.InterruptCommandHigh:
                value = _icrHigh;
                return true;
            case >= R.LvtTimer and <= R.LvtError:
                value = _lvt[(offset - R.LvtTimer) >> 4];
                return true;
            case R.InitialCount:
                value = _timer.InitialCount;
                return true;
            case R.CurrentCount:
                value = _timer.CurrentCount(TimerMode, _clock.Now);
                return true;
            case R.DivideConfiguration:
                value = _timer.DivideConfiguration;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    // Writable registers both modes share; false for an unknown offset.
    private bool TryWriteCommonLocked(uint offset, uint value)
    {
        switch (offset)
        {
            case R.TaskPriority:
                _tpr = value & 0xFF;
                UpdatePendingLocked();
                return true;
            case R.SpuriousVector:
                WriteSpuriousVectorLocked(value);
                return true;
            case >= R.LvtTimer and <= R.LvtError:
                WriteLvtLocked((int)(offset - R.LvtTimer) >> 4, value);
                return true;
            case R.InitialCount:
                _timer.WriteInitialCount(value, TimerMode, _clock.Now);
                return true;
            case R.DivideConfiguration:
                _timer.WriteDivideConfiguration(value, TimerMode, _clock.Now);
                return true;
            default:
                return false;
        }
    }

    private void WriteSpuriousVectorLocked(uint value)
    {
        // Vector (7:0), APIC software enable (8), focus processor checking (9, irrelevant here).
        _svr = value & 0x3FF;
        if (!SoftwareEnabled)
        {
            // Software disable masks every LVT entry, and they stay masked until it is enabled again (11.4.7.2).
            for (int i = 0; i < LvtCount; i++)
                _lvt[i] |= LvtMasked;
            UpdateExtIntLocked();
        }
    }

    private void WriteLvtLocked(int lvt, uint value)
    {
        uint writable = lvt switch
        {
            LvtTimer => _tscDeadlineSupported ? 0x700FFu : 0x300FFu, // vector, mask, timer mode
            LvtThermal or LvtPerformance => 0x107FF,                  // vector, delivery mode, mask
            LvtLint0 or LvtLint1 => 0x1A7FF,                          // ... polarity, trigger mode
            _ => 0x100FF,                                             // error: vector, mask
        };
        value &= writable;
        if (!SoftwareEnabled)
            value |= LvtMasked;
        if (lvt == LvtTimer && ((value ^ _lvt[LvtTimer]) & (3 << 17)) != 0)
            _timer.Stop(); // a new timer mode starts from nothing (KVM zeroes the initial count and the deadline)
        _lvt[lvt] = value;
        if (lvt == LvtLint0)
            UpdateExtIntLocked();
    }

    private void LatchErrorsLocked()
    {
        // A write to the ESR makes the errors since the last write readable and clears them (11.5.3).
        _esr = _esrPending;
        _esrPending = 0;
    }

    // ---- Priorities (11.8.3) ----

    private uint ProcessorPriorityLocked()
    {
        uint tpr = _tpr;
        uint isrClass = (uint)Math.Max(0, _isr.Highest()) & 0xF0;
        return (tpr & 0xF0) >= isrClass ? tpr : isrClass;
    }

    private uint ArbitrationPriorityLocked()
    {
        uint tpr = _tpr;
        uint isrClass = (uint)Math.Max(0, _isr.Highest()) & 0xF0;
        uint irrClass = (uint)Math.Max(0, _irr.Highest()) & 0xF0;
        if ((tpr & 0xF0) >= irrClass && (tpr & 0xF0) > isrClass)
            return tpr;
        return Math.Max(tpr & 0xF0, Math.Max(isrClass, irrClass));
    }

    // Recomputes what the CPU would take; wakes it when something became
    // deliverable (while something already was, it has been woken for that).
    private void UpdatePendingLocked()
    {
        int vector = _mode == LocalApicMode.Disabled ? -1 : _irr.Highest();
        if (vector >= 0 && (vector & 0xF0) <= (ProcessorPriorityLocked() & 0xF0))
            vector = -1;
        bool wasPending = _pendingVector >= 0;
        _pendingVector = vector;
        if (vector >= 0 && !wasPending)
            _vcpu.Wake();
    }

    private void UpdateExtIntLocked()
    {
        uint lint0 = _lvt[LvtLint0];
        _acceptsExtInt = _mode == LocalApicMode.Disabled ||
            ((lint0 & LvtMasked) == 0 && (ApicDeliveryMode)((lint0 >> 8) & 7) == ApicDeliveryMode.ExtInt);
        if (_acceptsExtInt && _pic != null && _pic.InterruptRequested)
            _vcpu.Wake();
    }

    // ---- Interrupt acceptance, acknowledge and EOI ----

    /// <summary>Lowest-priority arbitration: the task priority class (focus processors and the ISR are not considered).</summary>
    internal uint ArbitrationPriority => _tpr & 0xF0;

    internal bool MatchesPhysical(uint destination, bool x2ApicFormat)
    {
        if (_mode == LocalApicMode.X2Apic)
            return destination == (x2ApicFormat ? 0xFFFF_FFFFu : 0xFFu) || destination == _id;
        uint d = x2ApicFormat && destination == 0xFFFF_FFFFu ? 0xFFu : destination;
        return d == 0xFF || d == _id;
    }

    internal bool MatchesLogical(uint destination, bool x2ApicFormat)
    {
        if (_mode == LocalApicMode.X2Apic)
        {
            // Cluster (31:16) must match and the bitmaps (15:0) intersect (11.12.10.2); an 8-bit destination is cluster 0.
            if (x2ApicFormat ? destination == 0xFFFF_FFFFu : (destination & 0xFF) == 0xFF)
                return true;
            if (!x2ApicFormat)
                destination &= 0xFF;
            uint ldr = _ldr;
            return ldr >> 16 == destination >> 16 && (ldr & destination & 0xFFFF) != 0;
        }
        uint d = x2ApicFormat && destination == 0xFFFF_FFFFu ? 0xFFu : destination & 0xFF;
        if (d == 0xFF)
            return true;
        uint logicalId = _ldr >> 24;
        if (_dfr >> 28 == 0xF)
            return (logicalId & d) != 0; // flat model: 8-bit bitmap
        // Cluster model: cluster in 7:4 (0xF: all clusters), up to four APICs in 3:0.
        uint cluster = d >> 4;
        return (cluster == 0xF || cluster == logicalId >> 4) && (d & logicalId & 0xF) != 0;
    }

    /// <summary>A message from the bus for this APIC; true when accepted.</summary>
    internal bool Accept(in ApicMessage message)
    {
        switch (message.DeliveryMode)
        {
            case ApicDeliveryMode.Fixed:
            case ApicDeliveryMode.LowestPriority:
                lock (_lock)
                    return AcceptFixedLocked(message.Vector, message.LevelTriggered);
            case ApicDeliveryMode.Smi:
                RaiseEvent(LocalApicEvents.Smi);
                return true;
            case ApicDeliveryMode.Nmi:
                RaiseEvent(LocalApicEvents.Nmi);
                return true;
            case ApicDeliveryMode.Init:
                if (!message.Assert)
                    return false; // INIT level de-assert only synchronizes arbitration IDs
                lock (_lock)
                    InitResetLocked();
                RaiseEvent(LocalApicEvents.Init);
                return true;
            case ApicDeliveryMode.Startup:
                _startupVector = message.Vector;
                RaiseEvent(LocalApicEvents.Startup);
                return true;
            default:
                return false; // ExtINT goes through LINT0, not messages
        }
    }

    private bool AcceptFixedLocked(int vector, bool levelTriggered)
    {
        // A software-disabled APIC takes no fixed interrupts (as KVM); a disabled one none at all.
        if (_mode == LocalApicMode.Disabled || !SoftwareEnabled)
            return false;
        if (vector < 16)
        {
            SetErrorLocked(R.ErrorReceiveIllegalVector);
            return false;
        }
        _irr.Set(vector);
        _tmr.Assign(vector, levelTriggered);
        UpdatePendingLocked();
        return true;
    }

    private void SetErrorLocked(uint error)
    {
        _esrPending |= error;
        uint lvt = _lvt[LvtError];
        if ((lvt & LvtMasked) != 0)
            return;
        if ((lvt & 0xFF) < 16)
            _esrPending |= R.ErrorReceiveIllegalVector; // and no interrupt: it would fail the same way
        else
            AcceptFixedLocked((int)(lvt & 0xFF), levelTriggered: false);
    }

    private void RaiseEvent(LocalApicEvents e)
    {
        Interlocked.Or(ref _events, (int)e);
        _vcpu.Wake();
    }

    public int AcknowledgeInterrupt()
    {
        // The 8259's request comes first, as KVM takes it: its INTA cycle reads the vector from the PIC.
        if (_acceptsExtInt && _pic != null && _pic.InterruptRequested)
            return _pic.Acknowledge();
        lock (_lock)
        {
            int vector = _pendingVector;
            if (vector < 0)
                return -1;
            _irr.Clear(vector);
            _isr.Set(vector);
            UpdatePendingLocked();
            return vector;
        }
    }

    private void EndOfInterrupt()
    {
        int vector;
        bool level;
        lock (_lock)
        {
            vector = _isr.Highest();
            if (vector < 0)
                return;
            _isr.Clear(vector);
            level = _tmr.Test(vector);
            UpdatePendingLocked();
        }
        if (level)
            _bus.BroadcastEoi(vector);
    }

    public LocalApicEvents TakeEvents(out byte startupVector)
    {
        startupVector = 0;
        if (Volatile.Read(ref _events) == 0)
            return LocalApicEvents.None;
        var events = (LocalApicEvents)Interlocked.Exchange(ref _events, 0);
        startupVector = _startupVector;
        return events;
    }

    // ---- IPIs (11.6) ----

    private void SendIpi(uint low, bool x2Apic, uint destination = 0)
    {
        ApicMessage message;
        lock (_lock)
        {
            _icrLow = low;
            if (x2Apic)
                _icrHigh = destination;
            else
                destination = _icrHigh >> 24;
            var mode = (ApicDeliveryMode)((low >> 8) & 7);
            byte vector = (byte)low;
            bool assert = (low & (1 << 14)) != 0;
            switch (mode)
            {
                case ApicDeliveryMode.Reserved3 or ApicDeliveryMode.ExtInt:
                    return; // not sendable through the ICR
                case ApicDeliveryMode.Fixed or ApicDeliveryMode.LowestPriority when vector < 16:
                    SetErrorLocked(R.ErrorSendIllegalVector);
                    return;
                case ApicDeliveryMode.Init when !assert:
                    return; // INIT level de-assert: only arbitration IDs, nothing to deliver
            }
            // IPIs are edge-triggered: the trigger mode bit only qualifies INIT level de-assert.
            message = new ApicMessage(mode, vector, destination,
                LogicalDestination: (low & (1 << 11)) != 0,
                Shorthand: (ApicShorthand)((low >> 18) & 3),
                X2ApicFormat: x2Apic,
                Assert: assert);
        }
        _bus.Deliver(message, this);
    }

    // ---- Local interrupt pins and the timer ----

    /// <summary>
    /// The level of LINT0 (<paramref name="pin"/> 0, the 8259's INTR on a PC)
    /// or LINT1 (1, NMI). A rising edge delivers per the LVT entry (fixed,
    /// NMI, SMI, INIT); in ExtINT mode the level is what the CPU sees. With the
    /// APIC disabled, LINT0 is INTR and LINT1 is NMI.
    /// </summary>
    public void SetLocalInterruptPin(int pin, bool level)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)pin, 1u, nameof(pin));
        lock (_lock)
        {
            bool rising = level && !(pin == 0 ? _lint0Level : _lint1Level);
            if (pin == 0)
                _lint0Level = level;
            else
                _lint1Level = level;
            if (!rising)
                return;
            if (_mode == LocalApicMode.Disabled)
            {
                if (pin == 1)
                    RaiseEvent(LocalApicEvents.Nmi);
                else if (_pic != null)
                    _vcpu.Wake();
                return;
            }
            FireLvtLocked(pin == 0 ? LvtLint0 : LvtLint1);
        }
    }

    private void FireLvtLocked(int lvt)
    {
        uint entry = _lvt[lvt];
        if ((entry & LvtMasked) != 0)
            return;
        // The timer and error entries have no delivery mode field: always fixed.
        var mode = lvt is LvtTimer or LvtError ? ApicDeliveryMode.Fixed : (ApicDeliveryMode)((entry >> 8) & 7);
        switch (mode)
        {
            case ApicDeliveryMode.Fixed:
                AcceptFixedLocked((int)(entry & 0xFF), levelTriggered: false);
                break;
            case ApicDeliveryMode.Nmi:
                RaiseEvent(LocalApicEvents.Nmi);
                break;
            case ApicDeliveryMode.Smi:
                RaiseEvent(LocalApicEvents.Smi);
                break;
            case ApicDeliveryMode.Init:
                InitResetLocked();
                RaiseEvent(LocalApicEvents.Init);
                break;
            case ApicDeliveryMode.ExtInt:
                if (_pic != null && _pic.InterruptRequested)
                    _vcpu.Wake();
                break;
        }
    }

    public void SetTscDeadline(long deadlineNanoseconds)
    {
        lock (_lock)
        {
            // Writes to IA32_TSC_DEADLINE are ignored unless the timer is in TSC-deadline mode (11.5.4.1).
            if (TimerMode != LocalApicTimerMode.TscDeadline)
                return;
            // 0 disarms; anything at or before now (a past TSC value may map below 0) fires at once.
            if (_timer.SetTscDeadline(deadlineNanoseconds, _clock.Now))
                FireLvtLocked(LvtTimer);
        }
    }

    private void OnTimerExpired(long deadline)
    {
        lock (_lock)
        {
            if (_timer.Expire(deadline, TimerMode, _clock.Now))
                FireLvtLocked(LvtTimer);
        }
    }

    // ---- Reset, INIT and state ----

    public void Reset(bool bootstrapProcessor)
    {
        lock (_lock)
        {
            _baseMsr = DefaultBaseAddress | BaseEnable | (bootstrapProcessor ? BaseBsp : 0);
            _mode = LocalApicMode.XApic;
            _id = (uint)Index;
            InitResetLocked();
        }
        Interlocked.Exchange(ref _events, 0);
    }

    // INIT (11.4.7.3): everything but the APIC ID, IA32_APIC_BASE and the mode.
    private void InitResetLocked()
    {
        _tpr = 0;
        _svr = 0xFF;
        _irr.ClearAll();
        _isr.ClearAll();
        _tmr.ClearAll();
        _esr = _esrPending = 0;
        _icrLow = _icrHigh = 0;
        _ldr = _mode == LocalApicMode.X2Apic ? X2ApicLogicalId(_id) : 0;
        _dfr = 0xFFFF_FFFF;
        for (int i = 0; i < LvtCount; i++)
            _lvt[i] = LvtMasked;
        if ((_baseMsr & BaseBsp) != 0)
            _lvt[LvtLint0] = (uint)ApicDeliveryMode.ExtInt << 8;
        _timer.Reset();
        UpdateExtIntLocked();
        UpdatePendingLocked();
    }

    public void GetState(out X86LocalApic page)
    {
        page = default;
        lock (_lock)
        {
            for (uint offset = R.Id; offset < 0x400; offset += 0x10)
            {
                if (offset is R.Eoi or R.SelfIpi)
                    continue;
                if (TryReadLocked(offset, out uint value))
                    page.Write((int)offset, value);
            }
        }
    }

    public void SetState(in X86LocalApic page)
    {
        lock (_lock)
        {
            long now = _clock.Now;
            _tpr = page.Read((int)R.TaskPriority) & 0xFF;
            WriteSpuriousVectorLocked(page.Read((int)R.SpuriousVector));
            if (_mode == LocalApicMode.XApic)
            {
                _ldr = page.Read((int)R.LogicalDestination) & 0xFF00_0000;
                _dfr = page.Read((int)R.DestinationFormat) | 0x0FFF_FFFF;
            }
            for (int i = 0; i < LvtCount; i++)
                WriteLvtLocked(i, page.Read((int)(R.LvtTimer + ((uint)i << 4))));
            _timer.WriteDivideConfiguration(page.Read((int)R.DivideConfiguration), TimerMode, now);
            UpdateExtIntLocked();
            UpdatePendingLocked();
        }
    }
}
