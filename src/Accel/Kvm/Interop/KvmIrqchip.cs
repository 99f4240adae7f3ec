using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_irqchip (KVM_GET/SET_IRQCHIP): which chip (<see cref="PicMaster"/>,
/// <see cref="PicSlave"/>, <see cref="Ioapic"/>) and a 512-byte union holding a
/// <see cref="KvmPicState"/> or a <see cref="KvmIoapicState"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmIrqchip
{
    public const uint PicMaster = 0, PicSlave = 1, Ioapic = 2;
    public const int ChipSize = 512;

    public uint ChipId;
    public uint Pad;
    public fixed byte Chip[ChipSize];
}
