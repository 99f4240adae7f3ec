using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_xcr: one extended control register (XCR0 is the only one defined).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmXcr
{
    public uint Xcr;
    public uint Reserved;
    public ulong Value;
}
