using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_irq_routing_entry: a GSI routed to an irqchip pin or to an MSI
/// message. The union is 32 bytes; for MSI it holds address_lo, address_hi,
/// data and (with KVM_MSI_VALID_DEVID) a device id.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal struct KvmIrqRoutingEntry
{
    [FieldOffset(0)] public uint Gsi;
    [FieldOffset(4)] public uint Type;
    [FieldOffset(8)] public uint Flags;
    [FieldOffset(12)] public uint Pad;

    // union u: irqchip { u32 irqchip; u32 pin; }
    [FieldOffset(16)] public uint IrqchipChip;
    [FieldOffset(20)] public uint IrqchipPin;

    // union u: msi { u32 address_lo; u32 address_hi; u32 data; u32 devid; }
    [FieldOffset(16)] public uint MsiAddressLo;
    [FieldOffset(20)] public uint MsiAddressHi;
    [FieldOffset(24)] public uint MsiData;
    [FieldOffset(28)] public uint MsiDevid;

    public const uint TypeIrqchip = 1;
    public const uint TypeMsi = 2;
}
