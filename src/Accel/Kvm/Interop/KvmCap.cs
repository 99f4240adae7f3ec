namespace Emu.Accel.Kvm.Interop;

/// <summary>KVM_CAP_* numbers for KVM_CHECK_EXTENSION / KVM_ENABLE_CAP.</summary>
internal static class KvmCap
{
    public const int Irqchip = 0;
    public const int Hlt = 1;
    public const int UserMemory = 3;
    public const int SetTssAddr = 4;
    public const int NrVcpus = 9;
    public const int NrMemslots = 10;
    public const int SyncMmu = 16;
    public const int Iommu = 18;
    public const int SetIdentityMapAddr = 37;
    public const int IrqRouting = 25;
    public const int Irqfd = 32;
    public const int Pit2 = 33;
    public const int Ioeventfd = 36;
    public const int AdjustClock = 39;
    public const int VcpuEvents = 41;
    public const int Xsave = 55;
    public const int Xcrs = 56;
    public const int MaxVcpus = 66;
    public const int TscDeadlineTimer = 72;
    public const int SignalMsi = 77;
    public const int ReadonlyMem = 81;
    public const int IrqfdResample = 82;
    public const int ImmediateExit = 136;
    public const int SplitIrqchip = 121;
    public const int X2ApicApi = 129;
    public const int MaxVcpuId = 128;
    public const int DeviceCtrl = 89;
    public const int Debugregs = 50;
    public const int Xsave2 = 208;
    public const int Sregs2 = 200;
}
