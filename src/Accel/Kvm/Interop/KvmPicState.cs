using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_pic_state: one 8259A of KVM's in-kernel PIC pair (KVM_GET/SET_IRQCHIP).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmPicState
{
    public byte LastIrr;
    public byte Irr;
    public byte Imr;
    public byte Isr;
    public byte PriorityAdd;
    public byte IrqBase;
    public byte ReadRegSelect;
    public byte Poll;
    public byte SpecialMask;
    public byte InitState;
    public byte AutoEoi;
    public byte RotateOnAutoEoi;
    public byte SpecialFullyNestedMode;
    public byte Init4;
    public byte Elcr;
    public byte ElcrMask;
}
