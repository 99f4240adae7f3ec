using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_userspace_memory_region: one guest-physical range backed by host memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmUserspaceMemoryRegion
{
    public uint Slot;
    public uint Flags;
    public ulong GuestPhysAddr;

    /// <summary>Bytes; 0 deletes the slot.</summary>
    public ulong MemorySize;
    public ulong UserspaceAddr;

    /// <summary>KVM_MEM_LOG_DIRTY_PAGES: KVM keeps a bitmap of the pages vCPUs write (KVM_GET_DIRTY_LOG).</summary>
    public const uint LogDirtyPages = 1;
    public const uint ReadOnly = 2;
}
