using Emu.Core.Interrupts;
using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The whole local APIC in the migration stream: base MSR and mode, ID,
// priorities, the IRR/ISR/TMR bitmaps, the LVT, errors, the ICR, the levels
// of LINT0/1, NMI/INIT/SIPI events not yet taken by the CPU, and the timer.
// What derives from them (the vector the CPU would take, whether LINT0 is the
// 8259's virtual wire) is recomputed; the CPU looks at the APIC again when it
// is loaded after it.
public sealed partial class LocalApic : IMigratable
{
    public void SaveState(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteU64("base-msr", _baseMsr);
            state.WriteU32("id", _id);
            state.WriteU32("ldr", _ldr);
            state.WriteU32("dfr", _dfr);
            state.WriteU32("tpr", _tpr);
            state.WriteU32("svr", _svr);
            state.WriteU32("esr", _esr);
            state.WriteU32("esr.pending", _esrPending);
            state.WriteU32("icr.low", _icrLow);
            state.WriteU32("icr.high", _icrHigh);
            state.WriteU32Array("irr", _irr);
            state.WriteU32Array("isr", _isr);
            state.WriteU32Array("tmr", _tmr);
            state.WriteU32Array("lvt", _lvt);
            state.WriteBool("lint0-level", _lint0Level);
            state.WriteBool("lint1-level", _lint1Level);
            state.WriteU32("events", (uint)Volatile.Read(ref _events));
            state.WriteU8("sipi-vector", _startupVector);
            _timer.Save(state, _clock.Now);
        }
    }

    public void LoadState(StateReader state)
    {
        ulong baseMsr = state.ReadU64("base-msr");
        if ((baseMsr & _baseReserved) != 0 || (baseMsr & (BaseEnable | BaseExtd)) == BaseExtd)
            throw new MigrationException($"{state.Section}: IA32_APIC_BASE 0x{baseMsr:x} sets reserved bits or is the invalid x2APIC-without-enable state");
        LocalApicMode mode = (baseMsr & (BaseEnable | BaseExtd)) switch
        {
            0 => LocalApicMode.Disabled,
            BaseEnable => LocalApicMode.XApic,
            _ => LocalApicMode.X2Apic,
        };
        uint id = state.ReadU32("id");
        if (mode != LocalApicMode.X2Apic && id > 0xFF)
            throw new MigrationException($"{state.Section}: xAPIC ID {id} does not fit 8 bits");
        Span<uint> lvt = stackalloc uint[LvtCount];
        uint events = 0;
        lock (_lock)
        {
            _baseMsr = baseMsr;
            _mode = mode;
            _id = id;
            _ldr = state.ReadU32("ldr");
            _dfr = state.ReadU32("dfr") | 0x0FFF_FFFF;
            _tpr = state.ReadU32("tpr", 0xFF);
            _svr = state.ReadU32("svr", 0x3FF);
            _esr = state.ReadU32("esr");
            _esrPending = state.ReadU32("esr.pending");
            _icrLow = state.ReadU32("icr.low");
            _icrHigh = state.ReadU32("icr.high");
            state.ReadU32Array("irr", _irr);
            state.ReadU32Array("isr", _isr);
            state.ReadU32Array("tmr", _tmr);
            state.ReadU32Array("lvt", lvt);
            for (int i = 0; i < LvtCount; i++)
            {
                // Through the register's writable bits (and the mask when software-disabled), as a guest write.
                _lvt[i] = 0;
                WriteLvtLocked(i, lvt[i]);
                _lvt[i] |= lvt[i] & LvtMasked;
            }
            _lint0Level = state.ReadBool("lint0-level");
            _lint1Level = state.ReadBool("lint1-level");
            events = state.ReadU32("events", (uint)(LocalApicEvents.Nmi | LocalApicEvents.Smi | LocalApicEvents.Init | LocalApicEvents.Startup));
            _startupVector = state.ReadU8("sipi-vector");
            _timer.Load(state, _clock.Now, TimerMode == LocalApicTimerMode.TscDeadline);
            state.EnsureAllRead();
            UpdateExtIntLocked();
            UpdatePendingLocked();
        }
        Interlocked.Exchange(ref _events, (int)events);
    }
}
