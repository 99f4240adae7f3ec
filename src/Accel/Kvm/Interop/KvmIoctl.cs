namespace Emu.Accel.Kvm.Interop;

/// <summary>Every KVM ioctl request number this VMM uses, from &lt;linux/kvm.h&gt;.</summary>
internal static unsafe class KvmIoctl
{
    private const uint KVMIO = 0xAE;

    // /dev/kvm
    public static readonly nuint GetApiVersion = IoctlNumber.IO(KVMIO, 0x00);
    public static readonly nuint CreateVm = IoctlNumber.IO(KVMIO, 0x01);
    public static readonly nuint GetMsrIndexList = IoctlNumber.IOWR(KVMIO, 0x02, (uint)sizeof(KvmMsrListHeader));
    public static readonly nuint CheckExtension = IoctlNumber.IO(KVMIO, 0x03);
    public static readonly nuint GetVcpuMmapSize = IoctlNumber.IO(KVMIO, 0x04);
    public static readonly nuint GetSupportedCpuid = IoctlNumber.IOWR(KVMIO, 0x05, (uint)sizeof(KvmCpuid2Header));

    // VM
    public static readonly nuint CreateVcpu = IoctlNumber.IO(KVMIO, 0x41);
    public static readonly nuint SetUserMemoryRegion = IoctlNumber.IOW(KVMIO, 0x46, (uint)sizeof(KvmUserspaceMemoryRegion));
    public static readonly nuint SetTssAddr = IoctlNumber.IO(KVMIO, 0x47);
    public static readonly nuint SetIdentityMapAddr = IoctlNumber.IOW(KVMIO, 0x48, 8);
    public static readonly nuint CreateIrqchip = IoctlNumber.IO(KVMIO, 0x60);
    public static readonly nuint IrqLine = IoctlNumber.IOW(KVMIO, 0x61, (uint)sizeof(KvmIrqLevel));
    public static readonly nuint SetGsiRouting = IoctlNumber.IOW(KVMIO, 0x6a, (uint)sizeof(KvmIrqRoutingHeader));
    public static readonly nuint Irqfd = IoctlNumber.IOW(KVMIO, 0x76, (uint)sizeof(KvmIrqfd));
    public static readonly nuint CreatePit2 = IoctlNumber.IOW(KVMIO, 0x77, (uint)sizeof(KvmPitConfig));
    public static readonly nuint Ioeventfd = IoctlNumber.IOW(KVMIO, 0x79, (uint)sizeof(KvmIoeventfd));
    public static readonly nuint EnableCap = IoctlNumber.IOW(KVMIO, 0xa3, (uint)sizeof(KvmEnableCap));
    public static readonly nuint SignalMsi = IoctlNumber.IOW(KVMIO, 0xa5, (uint)sizeof(KvmMsi));
    public static readonly nuint CreateDevice = IoctlNumber.IOWR(KVMIO, 0xe0, (uint)sizeof(KvmCreateDevice));
    public static readonly nuint SetDeviceAttr = IoctlNumber.IOW(KVMIO, 0xe1, (uint)sizeof(KvmDeviceAttr));
    public static readonly nuint GetDirtyLog = IoctlNumber.IOW(KVMIO, 0x42, (uint)sizeof(KvmDirtyLog));
    public static readonly nuint GetIrqchip = IoctlNumber.IOWR(KVMIO, 0x62, (uint)sizeof(KvmIrqchip));
    public static readonly nuint SetIrqchip = IoctlNumber.IOR(KVMIO, 0x63, (uint)sizeof(KvmIrqchip));
    public static readonly nuint SetClock = IoctlNumber.IOW(KVMIO, 0x7b, (uint)sizeof(KvmClockData));
    public static readonly nuint GetClock = IoctlNumber.IOR(KVMIO, 0x7c, (uint)sizeof(KvmClockData));
    public static readonly nuint GetPit2 = IoctlNumber.IOR(KVMIO, 0x9f, (uint)sizeof(KvmPitState2));
    public static readonly nuint SetPit2 = IoctlNumber.IOW(KVMIO, 0xa0, (uint)sizeof(KvmPitState2));

    // vCPU
    public static readonly nuint Run = IoctlNumber.IO(KVMIO, 0x80);
    public static readonly nuint GetRegs = IoctlNumber.IOR(KVMIO, 0x81, (uint)sizeof(KvmRegs));
    public static readonly nuint SetRegs = IoctlNumber.IOW(KVMIO, 0x82, (uint)sizeof(KvmRegs));
    public static readonly nuint GetSregs = IoctlNumber.IOR(KVMIO, 0x83, (uint)sizeof(KvmSregs));
    public static readonly nuint SetSregs = IoctlNumber.IOW(KVMIO, 0x84, (uint)sizeof(KvmSregs));
    public static readonly nuint Translate = IoctlNumber.IOWR(KVMIO, 0x85, (uint)sizeof(KvmTranslation));
    public static readonly nuint SetSignalMask = IoctlNumber.IOW(KVMIO, 0x8b, 4);
    public static readonly nuint GetMpState = IoctlNumber.IOR(KVMIO, 0x98, 4);
    public static readonly nuint SetMpState = IoctlNumber.IOW(KVMIO, 0x99, 4);
    public static readonly nuint SetCpuid2 = IoctlNumber.IOW(KVMIO, 0x90, (uint)sizeof(KvmCpuid2Header));
    public static readonly nuint GetMsrs = IoctlNumber.IOWR(KVMIO, 0x88, (uint)sizeof(KvmMsrsHeader));
    public static readonly nuint SetMsrs = IoctlNumber.IOW(KVMIO, 0x89, (uint)sizeof(KvmMsrsHeader));
    public static readonly nuint GetFpu = IoctlNumber.IOR(KVMIO, 0x8c, (uint)sizeof(KvmFpu));
    public static readonly nuint SetFpu = IoctlNumber.IOW(KVMIO, 0x8d, (uint)sizeof(KvmFpu));
    public static readonly nuint GetLapic = IoctlNumber.IOR(KVMIO, 0x8e, (uint)sizeof(KvmLapicState));
    public static readonly nuint SetLapic = IoctlNumber.IOW(KVMIO, 0x8f, (uint)sizeof(KvmLapicState));
    public static readonly nuint GetVcpuEvents = IoctlNumber.IOR(KVMIO, 0x9f, (uint)sizeof(KvmVcpuEvents));
    public static readonly nuint SetVcpuEvents = IoctlNumber.IOW(KVMIO, 0xa0, (uint)sizeof(KvmVcpuEvents));
    public static readonly nuint GetXsave = IoctlNumber.IOR(KVMIO, 0xa4, (uint)sizeof(KvmXsave));
    public static readonly nuint SetXsave = IoctlNumber.IOW(KVMIO, 0xa5, (uint)sizeof(KvmXsave));
    public static readonly nuint GetXcrs = IoctlNumber.IOR(KVMIO, 0xa6, (uint)sizeof(KvmXcrs));
    public static readonly nuint SetXcrs = IoctlNumber.IOW(KVMIO, 0xa7, (uint)sizeof(KvmXcrs));
    public static readonly nuint GetSregs2 = IoctlNumber.IOR(KVMIO, 0xcc, (uint)sizeof(KvmSregs2));
    public static readonly nuint SetSregs2 = IoctlNumber.IOW(KVMIO, 0xcd, (uint)sizeof(KvmSregs2));
    public static readonly nuint GetXsave2 = IoctlNumber.IOR(KVMIO, 0xcf, (uint)sizeof(KvmXsave));
    public static readonly nuint GetDebugregs = IoctlNumber.IOR(KVMIO, 0xa1, (uint)sizeof(KvmDebugregs));
    public static readonly nuint SetDebugregs = IoctlNumber.IOW(KVMIO, 0xa2, (uint)sizeof(KvmDebugregs));
}
