using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_create_device: create an in-kernel device (e.g. the KVM-VFIO pseudo device).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCreateDevice
{
    public uint Type;
    public uint Fd;
    public uint Flags;

    public const uint TypeVfio = 4;
}
