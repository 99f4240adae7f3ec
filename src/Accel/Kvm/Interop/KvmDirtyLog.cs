using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_dirty_log (KVM_GET_DIRTY_LOG): a memory slot and where to write its bitmap, one bit per page.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDirtyLog
{
    public uint Slot;
    public uint Padding1;
    public ulong DirtyBitmap;
}
