using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// One 8259's registers and initialization sequence in the migration stream,
// under a prefix ("master." or "slave.").
internal sealed partial class Pic8259
{
    public void Save(StateWriter state, string prefix)
    {
        state.WriteU8(prefix + "irr", Irr);
        state.WriteU8(prefix + "isr", Isr);
        state.WriteU8(prefix + "imr", Imr);
        state.WriteU8(prefix + "elcr", Elcr);
        state.WriteU8(prefix + "vector-base", VectorBase);
        state.WriteU8(prefix + "inputs", _inputs);
        state.WriteU8(prefix + "highest-priority-irq", (byte)_highestPriorityIrq);
        state.WriteU8(prefix + "init-step", (byte)_initStep);
        state.WriteBool(prefix + "expect-icw4", _expectIcw4);
        state.WriteBool(prefix + "single", _single);
        state.WriteBool(prefix + "read-isr", _readIsr);
        state.WriteBool(prefix + "poll", _poll);
        state.WriteBool(prefix + "auto-eoi", AutoEoi);
        state.WriteBool(prefix + "rotate-on-auto-eoi", _rotateOnAutoEoi);
        state.WriteBool(prefix + "special-mask", SpecialMask);
        state.WriteBool(prefix + "special-fully-nested", SpecialFullyNested);
    }

    public void Load(StateReader state, string prefix)
    {
        Irr = state.ReadU8(prefix + "irr");
        Isr = state.ReadU8(prefix + "isr");
        Imr = state.ReadU8(prefix + "imr");
        byte elcr = state.ReadU8(prefix + "elcr");
        if ((elcr & ~_elcrWritable) != 0)
            throw new MigrationException($"{state.Section}: {prefix}elcr 0x{elcr:x2} sets bits of IRQs that are always edge-triggered");
        Elcr = elcr;
        byte vectorBase = state.ReadU8(prefix + "vector-base");
        if ((vectorBase & 7) != 0)
            throw new MigrationException($"{state.Section}: {prefix}vector-base 0x{vectorBase:x2} is not a multiple of 8");
        VectorBase = vectorBase;
        _inputs = state.ReadU8(prefix + "inputs");
        _highestPriorityIrq = state.ReadU8(prefix + "highest-priority-irq", 7);
        byte step = state.ReadU8(prefix + "init-step", 4);
        if (step == 1)
            throw new MigrationException($"{state.Section}: {prefix}init-step 1 does not exist");
        _initStep = step;
        _expectIcw4 = state.ReadBool(prefix + "expect-icw4");
        _single = state.ReadBool(prefix + "single");
        _readIsr = state.ReadBool(prefix + "read-isr");
        _poll = state.ReadBool(prefix + "poll");
        AutoEoi = state.ReadBool(prefix + "auto-eoi");
        _rotateOnAutoEoi = state.ReadBool(prefix + "rotate-on-auto-eoi");
        SpecialMask = state.ReadBool(prefix + "special-mask");
        SpecialFullyNested = state.ReadBool(prefix + "special-fully-nested");
    }
}
