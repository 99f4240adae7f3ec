using Emu.Accel.Kvm.Interop;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// KVM's in-kernel 8259A pair and IOAPIC as a section of the migration stream
/// (KVM_GET/SET_IRQCHIP). The local APICs travel with their vCPUs.
///
/// KVM copies what it is given, so the load checks what the hardware could
/// never hold: a PIC's flags are bits, its init sequence state 0-3, its
/// vector base a multiple of 8 (ICW2's low bits are ignored, 8259A data
/// sheet), its ELCR mask the chipset's; the IOAPIC stays at the address and
/// with the pins this VM has.
/// </summary>
internal sealed unsafe class KvmIrqchipState : IMigratable
{
    private readonly FileDescriptor _vm;

    public KvmIrqchipState(FileDescriptor vm) => _vm = vm;

    public void SaveState(StateWriter state)
    {
        state.WriteStruct("pic-master", Get<KvmPicState>(KvmIrqchip.PicMaster));
        state.WriteStruct("pic-slave", Get<KvmPicState>(KvmIrqchip.PicSlave));
        state.WriteStruct("ioapic", Get<KvmIoapicState>(KvmIrqchip.Ioapic));
    }

    public void LoadState(StateReader state)
    {
        KvmPicState master = state.ReadStruct<KvmPicState>("pic-master");
        KvmPicState slave = state.ReadStruct<KvmPicState>("pic-slave");
        KvmIoapicState ioapic = state.ReadStruct<KvmIoapicState>("ioapic");
        state.EnsureAllRead();
        CheckPic(state.Section, "pic-master", master, Get<KvmPicState>(KvmIrqchip.PicMaster));
        CheckPic(state.Section, "pic-slave", slave, Get<KvmPicState>(KvmIrqchip.PicSlave));
        CheckIoapic(state.Section, ioapic, Get<KvmIoapicState>(KvmIrqchip.Ioapic));
        Set(KvmIrqchip.PicMaster, master);
        Set(KvmIrqchip.PicSlave, slave);
        Set(KvmIrqchip.Ioapic, ioapic);
    }

    private T Get<T>(uint chip) where T : unmanaged
    {
        var irqchip = new KvmIrqchip { ChipId = chip };
        KvmApi.GetIrqchip(_vm, ref irqchip);
        return *(T*)irqchip.Chip;
    }

    private void Set<T>(uint chip, in T value) where T : unmanaged
    {
        var irqchip = new KvmIrqchip { ChipId = chip };
        *(T*)irqchip.Chip = value;
        KvmApi.SetIrqchip(_vm, irqchip);
    }

    private static void CheckPic(string section, string name, in KvmPicState p, in KvmPicState current)
    {
        if (p.ReadRegSelect > 1 || p.Poll > 1 || p.SpecialMask > 1 || p.AutoEoi > 1 || p.RotateOnAutoEoi > 1
            || p.SpecialFullyNestedMode > 1 || p.Init4 > 1)
            throw new MigrationException($"{section}: {name} has a flag with a value other than 0 or 1");
        if (p.InitState > 3)
            throw new MigrationException($"{section}: {name} init state {p.InitState} is not 0-3");
        if (p.PriorityAdd > 7 || (p.IrqBase & 7) != 0)
            throw new MigrationException($"{section}: {name} priority {p.PriorityAdd} or vector base 0x{p.IrqBase:x} is impossible");
        if (p.ElcrMask != current.ElcrMask || (p.Elcr & ~p.ElcrMask) != 0)
            throw new MigrationException($"{section}: {name} ELCR 0x{p.Elcr:x}/mask 0x{p.ElcrMask:x} does not fit this chipset's mask 0x{current.ElcrMask:x}");
    }

    private static void CheckIoapic(string section, in KvmIoapicState s, in KvmIoapicState current)
    {
        if (s.BaseAddress != current.BaseAddress)
            throw new MigrationException($"{section}: the IOAPIC at 0x{s.BaseAddress:x}, this VM's is at 0x{current.BaseAddress:x}");
        if (s.IoRegSel > 0xFF || s.Pad != 0)
            throw new MigrationException($"{section}: IOAPIC register select 0x{s.IoRegSel:x} is not an 8-bit index");
        if ((s.Irr >> KvmIoapicState.Pins) != 0)
            throw new MigrationException($"{section}: IOAPIC IRR 0x{s.Irr:x} names pins beyond {KvmIoapicState.Pins}");
        // The IOAPIC ID register has 4 bits (82093AA data sheet, 3.2.1).
        if (s.Id > 0xF)
            throw new MigrationException($"{section}: IOAPIC ID {s.Id} does not fit 4 bits");
    }
}
