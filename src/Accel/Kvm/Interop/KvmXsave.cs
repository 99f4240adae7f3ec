using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_xsave: the XSAVE area (KVM_GET_XSAVE / KVM_SET_XSAVE), 4 KiB;
/// larger only for dynamically enabled features (AMX), which this VMM does
/// not enable.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmXsave
{
    public fixed uint Region[1024];
}
