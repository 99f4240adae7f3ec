using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_xcrs (KVM_GET_XCRS / KVM_SET_XCRS): up to KVM_MAX_XCRS (16)
/// registers. Only XCR0 exists on x86, so the first array element is named
/// and the other fifteen are kept as bytes.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmXcrs
{
    public const int MaxXcrs = 16;

    public uint NrXcrs;
    public uint Flags;

    /// <summary>xcrs[0].</summary>
    public KvmXcr Xcrs;

    public fixed byte MoreXcrs[(MaxXcrs - 1) * 16];
    public fixed ulong Padding[16];
}
