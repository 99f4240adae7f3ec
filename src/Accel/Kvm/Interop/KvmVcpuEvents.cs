using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// struct kvm_vcpu_events (KVM_GET_VCPU_EVENTS / KVM_SET_VCPU_EVENTS):
/// exceptions, interrupts, NMIs and SMIs that are pending or being injected,
/// flattened (the C struct nests them in small anonymous structs).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmVcpuEvents
{
    public byte ExceptionInjected;
    public byte ExceptionNr;
    public byte ExceptionHasErrorCode;
    public byte ExceptionPending;
    public uint ExceptionErrorCode;
    public byte InterruptInjected;
    public byte InterruptNr;
    public byte InterruptSoft;
    public byte InterruptShadow;
    public byte NmiInjected;
    public byte NmiPending;
    public byte NmiMasked;
    public byte NmiPad;
    public uint SipiVector;
    public uint Flags;
    public byte Smm;
    public byte SmiPending;
    public byte SmmInsideNmi;
    public byte LatchedInit;
    public byte TripleFaultPending;
    public fixed byte Reserved[26];
    public byte ExceptionHasPayload;
    public ulong ExceptionPayload;
}
