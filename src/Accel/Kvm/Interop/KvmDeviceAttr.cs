using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_device_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDeviceAttr
{
    public uint Flags;
    public uint Group;
    public ulong Attr;
    public ulong Addr;
}
